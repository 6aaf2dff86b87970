"""Build the JSONL files of Kroniek's own dev set from articles.txt (standard library only).

    python eval/kroniek-dev/build.py [--check]

articles.txt holds every article once: its header (id, date, part, source), its paragraphs, and its gold quotations
and time expressions written as text, not offsets. This script finds each annotation in the article (in the order
listed: quotations from the start of the one before, time expressions from the end of the one before), checks it,
and writes per part ("tune", "held-aside"):
  articles-<part>.jsonl   {"id", "date", "text"}                       the input, as ../shared/corpus/*.jsonl
  quotes-<part>.jsonl     {"id", "quotes": [...]}                      gold, as ../shared/eval/quotes-dev.jsonl
  timex-<part>.jsonl      {"id", "dct", "timexes": [...]}              gold, as ../shared/eval/timex-dev.jsonl
With --check it only verifies that the files on disk are what it would write.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("tune", "held-aside")
KINDS = {"direct", "partial", "indirect"}
TYPES = {"DATE", "TIME", "DURATION", "SET"}
OPEN_MARKS = "“„‘'\",«"
CLOSE_MARKS = "”’'\"«»"


class SpecError(ValueError):
    """A malformed article or an annotation that cannot be found."""


def _fields(line: str, n_min: int, n_max: int, where: str) -> list[str]:
    parts = [p.strip() for p in line.split("|")]
    if not n_min <= len(parts) <= n_max:
        raise SpecError(f"{where}: expected {n_min}-{n_max} fields, got {len(parts)}: {line!r}")
    return parts + [""] * (n_max - len(parts))


def _find_word(text: str, needle: str, start: int) -> int:
    """The first occurrence of `needle` at or after `start` that is not part of a longer word."""
    for m in re.finditer(re.escape(needle), text[start:]):
        s = start + m.start()
        e = s + len(needle)
        if (s == 0 or not text[s - 1].isalnum()) and (e == len(text) or not text[e].isalnum()):
            return s
    return -1


def parse(spec: str) -> list[dict]:
    """The articles of a spec text, each with its gold annotations resolved to offsets."""
    blocks = re.split(r"^=== ", spec, flags=re.MULTILINE)[1:]
    out = []
    for block in blocks:
        lines = block.rstrip("\n").split("\n")
        aid = lines[0].strip()
        head: dict[str, str] = {}
        section = ""
        paragraphs: list[str] = []
        quotes: list[list[str]] = []
        timexes: list[list[str]] = []
        for line in lines[1:]:
            if line in ("text:", "quotes:", "timexes:"):
                section = line[:-1]
                continue
            if not line.strip():
                continue
            if section == "":
                key, _, value = line.partition(":")
                head[key.strip()] = value.strip()
            elif section == "text":
                paragraphs.append(line.strip())
            elif section == "quotes":
                quotes.append(_fields(line, 5, 6, aid))
            else:
                timexes.append(_fields(line, 3, 4, aid))
        for key in ("date", "part", "source"):
            if key not in head:
                raise SpecError(f"{aid}: no {key}")
        if head["part"] not in PARTS:
            raise SpecError(f"{aid}: part must be one of {PARTS}")
        text = "\n\n".join(paragraphs)
        out.append({"id": aid, "date": head["date"], "part": head["part"], "source": head["source"], "text": text,
                    "quotes": _quotes(aid, text, quotes), "timexes": _timexes(aid, text, timexes)})
    return out


def _quotes(aid: str, text: str, rows: list[list[str]]) -> list[dict]:
    out = []
    pos = 0
    for kind, qtext, cue, mention, speaker, note in rows:
        if kind not in KINDS:
            raise SpecError(f"{aid}: quotation kind {kind!r}")
        start = text.find(qtext, pos)
        if start < 0:
            raise SpecError(f"{aid}: quotation not found after {pos}: {qtext!r}")
        if kind != "indirect":
            before, after = text[start - 1:start], text[start + len(qtext):start + len(qtext) + 1]
            if before not in OPEN_MARKS or after not in CLOSE_MARKS:
                raise SpecError(f"{aid}: {kind} quotation not between quotation marks: {qtext!r}")
        if mention and mention not in text:
            raise SpecError(f"{aid}: speaker mention not in the text: {mention!r}")
        row = {"kind": kind, "text": qtext, "start": start, "cue": cue, "speaker_mention": mention, "speaker": speaker}
        if note:
            row["note"] = note
        out.append(row)
        pos = start + 1
    return out


def _timexes(aid: str, text: str, rows: list[list[str]]) -> list[dict]:
    out = []
    pos = 0
    for ttext, type_, value, note in rows:
        if type_ not in TYPES:
            raise SpecError(f"{aid}: timex type {type_!r}")
        start = _find_word(text, ttext, pos)
        if start < 0:
            raise SpecError(f"{aid}: time expression not found after {pos}: {ttext!r}")
        row = {"text": ttext, "start": start, "type": type_, "value": value}
        if note:
            row["note"] = note
        out.append(row)
        pos = start + len(ttext)
    return out


def outputs(articles: list[dict]) -> dict[str, str]:
    """File name -> content for every file this script writes."""
    files: dict[str, list[str]] = {}
    for part in PARTS:
        for name in ("articles", "quotes", "timex"):
            files[f"{name}-{part}.jsonl"] = []
    for a in articles:
        part = a["part"]
        files[f"articles-{part}.jsonl"].append(json.dumps({"id": a["id"], "date": a["date"], "text": a["text"]},
                                                          ensure_ascii=False))
        files[f"quotes-{part}.jsonl"].append(json.dumps({"id": a["id"], "quotes": a["quotes"]}, ensure_ascii=False))
        files[f"timex-{part}.jsonl"].append(json.dumps({"id": a["id"], "dct": a["date"], "timexes": a["timexes"]},
                                                       ensure_ascii=False))
    return {name: "".join(line + "\n" for line in lines) for name, lines in files.items()}


def main(argv: list[str]) -> int:
    articles = parse((HERE / "articles.txt").read_text(encoding="utf-8"))
    files = outputs(articles)
    if "--check" in argv:
        stale = [n for n, body in files.items() if not (HERE / n).is_file() or (HERE / n).read_text("utf-8") != body]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    for name, body in files.items():
        (HERE / name).write_text(body, encoding="utf-8")
    for part in PARTS:
        rows = [a for a in articles if a["part"] == part]
        kinds = {k: sum(q["kind"] == k for a in rows for q in a["quotes"]) for k in sorted(KINDS)}
        print(f"{part}: {len(rows)} articles, {sum(len(a['text'].split()) for a in rows)} words, "
              f"{sum(len(a['quotes']) for a in rows)} quotations {kinds}, "
              f"{sum(len(a['timexes']) for a in rows)} time expressions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
