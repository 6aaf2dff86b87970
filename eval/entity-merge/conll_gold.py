"""Writes dev-gold-conll.jsonl: who is who among the person names (CoNLL-2002 PER spans) of the groups of names that
end in the same word and stand in two articles or more of ned.testa (eval/entity-merge/conll_dev.py).

    python eval/entity-merge/conll_gold.py

Each name in such a group is its group's fullest name unless `DECIDED` says otherwise; every group was read in its
articles and the decisions (and the groups where nothing needed deciding) are in README.md.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from conll_dev import build  # noqa: E402

from kroniek.model import fold, name_key  # noqa: E402

# (name key, text) -> (person, name, note): read in the articles
DECIDED = {
    ("herman", "Herman"): ("herman de prins", "Herman De Prins", "the given name of the VRT journalist Herman De "
                           "Prins, named in full in the same article; not the ombudsman Guido Herman"),
    ("herman", "Guido Herman"): ("guido herman", "Guido Herman", "the federal ombudsman"),
    ("steenhaut", "Dirk Steenhaut"): ("dirk steenhaut", "Dirk Steenhaut", "byline"),
    ("steenhaut", "Bart Steenhaut"): ("bart steenhaut", "Bart Steenhaut", "byline; another critic than Dirk Steenhaut"),
    ("loco", "Dani El Mono Loco"): ("dani el mono loco", "Dani El Mono Loco", "the singer of Macaco"),
    ("loco", "Ricardo El Loco"): ("ricardo el loco", "Ricardo El Loco", "a flamenco guitarist"),
    ("sauwens", "Sauwens"): ("johan sauwens", "Johan Sauwens", "'Minister Sauwens', Flemish minister for monuments, "
                             "as Johan Sauwens in a039 and a072"),
    ("clinton", "Clinton"): ("bill clinton", "Bill Clinton", "the US president (Camp David, the G8 in Okinawa)"),
    ("barak", "Barak"): ("ehud barak", "Ehud Barak", "the Israeli prime minister"),
    ("arafat", "Arafat"): ("yasser arafat", "Yasser Arafat", ""),
    ("milosevic", "Milosevic"): ("slobodan milosevic", "Slobodan Milosevic", ""),
    ("anciaux", "Anciaux"): ("bert anciaux", "Bert Anciaux", "the Flemish minister, named in full in a011 and a019"),
    ("durant", "Durant"): ("isabelle durant", "Isabelle Durant", "the minister of transport"),
    ("peres", "Peres"): ("shimon peres", "Shimon Peres", ""),
    ("katzav", "Katzav"): ("moshe katzav", "Moshe Katzav", ""),
    ("diepenbeek", "Van Diepenbeek"): ("marc van diepenbeek", "Marc Van Diepenbeek", "the meteorologist"),
    ("vanopdenbosch", "Vanopdenbosch"): ("emmanuel vanopdenbosch", "Emmanuel Vanopdenbosch", ""),
    ("legat", "Antoine Légat"): ("antoine legat", "Antoine Legat", "byline, written with and without the accent"),
}


def main() -> int:
    _articles, spans = build()
    by = collections.defaultdict(list)
    for s in spans:
        by[name_key(s["text"])].append(s)
    out = []
    for key, group in sorted(by.items()):
        if len({s["article"] for s in group}) < 2:
            continue
        full = max((s["text"] for s in group), key=lambda t: (len(t.split()), len(t)))
        seen = set()
        for s in group:
            if (s["article"], fold(s["text"])) in seen:
                continue
            seen.add((s["article"], fold(s["text"])))
            person, name, note = DECIDED.get((key, s["text"]), (fold(full), full, ""))
            if (key, s["text"]) not in DECIDED and len(full.split()) == 1 and len(full) <= 3:
                note = "byline initials"
            line = {"article": s["article"], "start": s["start"], "end": s["end"], "text": s["text"],
                    "person": person, "name": name}
            if note:
                line["note"] = note
            out.append(line)
    with (HERE / "dev-gold-conll.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(x, ensure_ascii=False) + "\n" for x in out)
    print(len(out), "names of", len({x["person"] for x in out}), "people")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
