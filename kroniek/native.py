"""Kroniek's optional C modules: each has the same code in Python beside it, used where the module was not built."""

from __future__ import annotations

import importlib
import logging
from types import ModuleType


def optional_module(name: str) -> ModuleType | None:
    """The C module `name` (built by `make install` or pip where a C compiler is at hand), or None without it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        logging.getLogger(__name__).debug("%s is not built: its Python twin runs instead", name)
        return None
