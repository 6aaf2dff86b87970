"""The story detector of this tree against that of another commit (main by default): the same assignments (story
and rounded score) on pickled item lists, and the detector's CPU time per article, passes alternating.

    python benchmarks/check_story_detector.py ITEMS.pkl [ITEMS.pkl ...] [--ref main] [--passes 3]

Each ITEMS.pkl holds a list of StoryItem, as kroniek/stories/update.py's `_items` reads them from an archive.
"""

from __future__ import annotations

import argparse
import importlib.util
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kroniek.stories import detect as new


def _old(ref: str):  # noqa: ANN202
    src = subprocess.run(["git", "show", f"{ref}:kroniek/stories/detect.py"], check=True, capture_output=True,
                         text=True).stdout
    path = Path(tempfile.mkdtemp()) / "detect_old.py"
    path.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("detect_old", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["detect_old"] = module
    spec.loader.exec_module(module)
    module._PRIOR = new._PRIOR  # the shipped background frequencies, read from this tree
    return module


def _run(module, items):  # noqa: ANN001, ANN202
    det = module.StoryDetector(module.StoryParams())
    add = det.add
    t = time.process_time()
    out = [add(item) for item in items]
    return time.process_time() - t, [(a.article_id, a.story_id, a.score, a.started) for a in out]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("items", nargs="+")
    ap.add_argument("--ref", default="main")
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    old = _old(args.ref)
    ok = True
    for path in args.items:
        items = pickle.loads(Path(path).read_bytes())
        times: dict[str, list[float]] = {"old": [], "new": []}
        results = {}
        for _ in range(args.passes):
            for name, module in (("old", old), ("new", new)):
                s, res = _run(module, items)
                times[name].append(s)
                results.setdefault(name, res)
                if res != results[name]:
                    print(f"{path}: {name} not deterministic")
                    ok = False
        same = results["old"] == results["new"]
        ok &= same
        diff = sum(a != b for a, b in zip(results["old"], results["new"], strict=True))
        o, n = (statistics.median(times[k]) / len(items) * 1e6 for k in ("old", "new"))
        print(f"{path}: {len(items)} articles, {'identical' if same else f'{diff} differ'}; "
              f"CPU per article old {o:.0f} µs, new {n:.0f} µs (medians of {args.passes})", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
