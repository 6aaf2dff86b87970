"""Where the shipped Dutch model lies, and whether it is there: without importing spaCy (a process that only hands
articles to analysis workers needs to know no more)."""

from __future__ import annotations

from pathlib import Path

from kroniek.errors import ModelError

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "nl_kroniek"


def require_model(model_dir: Path | None = None) -> Path:
    """The model's directory; ModelError where the trained Dutch model is not there."""
    path = model_dir or MODEL_DIR
    if not (path / "config.cfg").is_file():
        raise ModelError(f"the Dutch model is missing at {path}",
                         hint="reinstall the package, or rebuild the model with `make model`")
    return path
