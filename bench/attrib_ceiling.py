"""How high can `score_attrib.py` go for an extractor that follows the contract?

    .venv/bin/python -m bench.attrib_ceiling OUT GOLD_DIR [--scorer PATH]

OUT is a folder `broadsheet run --raw RAW --out OUT` published from the texts GOLD_DIR's
attribution files describe (e.g. ../shared/dev/polnear/raw and ../shared/dev/polnear/gold);
the scorer is ../shared/score_attrib.py unless `--scorer` says otherwise. Nothing of the gold
data is kept here: it is read where it lies.

`score_attrib.py` finds a speaker right when the last word of the annotated source span is a
word of the position's `actor`. The contract makes `actor` the speaker's fullest *name*
("Wendy Sherman" for "Sherman", the person a description such as "the GOP nominee" stands
for). The two part ways wherever annotators included an apposition or a description in the
source span ("Scott Pruitt, the Republican attorney general of Oklahoma," ends in
"Oklahoma"; "Rep. Gwen Moore (D-Wis.)" in "(D-Wis.)"; "Trump's" in "Trumps").

This script scores four outputs that have perfect detection (one position per scored gold
attribution, exactly over its content):

- `literal`: actor = the annotated source span itself (checks the set-up: 1.0);
- `names`: actor = the last proper-name run of the source span before any comma or
  parenthesis, without titles (what an extractor that follows the contract publishes when
  it gets every speaker right; a description that names nobody gets a placeholder);
- `groups`: as `names`, but a source that ends in a plural or a body ("Clinton aides", "Trump
  campaign") keeps that noun after the name: groups and organisations named by their
  description, which the contract allows;
- `descriptions`: as `groups` for every common noun ("GOP nominee", "Indiana governor"), which
  the contract does not allow for a person (the actor is the person's name);

and prints them beside the real output in OUT.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_NAME_RUN = re.compile(r"\b[A-Z][\w.-]*(?:\s+(?:[A-Z][\w.-]*|de|van|von|la|del|bin)\b)*")
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Dr", "Sen", "Sens", "Rep", "Gov", "President", "Secretary", "Senator",
                     "Representative", "Former", "The", "A", "An", "Republican", "Democratic", "Democrat", "Gen"})
_PLACEHOLDER = "(a description: no name)"
_BODIES = frozenset({"campaign", "administration", "committee", "team", "government", "staff", "party", "camp",
                     "family", "police", "leadership"})


def _load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_attrib", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def contract_actor(source: str, keep_noun: str) -> str:
    """The name a contract-following extractor publishes for an annotated source span."""
    head = re.split(r"[,(]", source)[0].strip()
    head = re.sub(r"['’]s$", "", head)
    runs = [" ".join(w for w in run.split() if w.rstrip(".") not in _TITLES) for run in _NAME_RUN.findall(head)]
    runs = [run for run in runs if run]
    if not runs:
        return _PLACEHOLDER
    last = source.strip().split()[-1]
    kept = keep_noun == "any" or (keep_noun == "groups" and (last.endswith("s") or last in _BODIES))
    if kept and last.isalpha() and last[:1].islower():
        return f"{runs[-1]} {last}"
    return runs[-1]


Records = dict[str, list[dict[str, Any]]]


def oracle(scorer: ModuleType, data: Records, gold_dir: Path, mode: str) -> list[dict[str, Any]]:
    docs = {str(d.get("uri", "")).replace("\\", "/").rsplit("/", 1)[-1]: d for d in data["documents"]}
    article_of = {a["document_id"]: a["article_id"] for a in data["articles"]}
    positions = []
    keep = {"names": "", "groups": "groups", "descriptions": "any"}.get(mode, "")
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        doc = docs.get(gold["file"])
        if doc is None:
            continue
        for g in gold["attributions"]:
            span = scorer.content_span(doc.get("text") or "", g)
            if span is None or not (g.get("reference") or scorer.named(g.get("source"))):
                continue
            source = g.get("reference") or g["source"]
            actor = source if mode == "literal" else contract_actor(source, keep)
            positions.append({"article_id": article_of[doc["document_id"]], "actor": actor,
                              "char_start": span[0], "char_end": span[1]})
    return positions


def score(scorer: ModuleType, out: Path, gold_dir: Path, data: Records) -> str:
    namespace = vars(scorer)
    original = namespace["load_release"]
    namespace["load_release"] = lambda _: data
    try:
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            scorer.main([str(out), str(gold_dir)])
    finally:
        namespace["load_release"] = original
    line = next(x for x in buffer.getvalue().splitlines() if x.startswith("speaker"))
    return line.removeprefix("speaker").strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--scorer", type=Path, default=ROOT.parent / "shared" / "score_attrib.py")
    args = parser.parse_args(argv)
    scorer = _load_scorer(args.scorer)
    data = scorer.load_release(args.out)
    print("| output | speaker |\n|---|---|")
    print(f"| broadsheet ({args.out}) | {score(scorer, args.out, args.gold, data)} |")
    for mode in ("literal", "names", "groups", "descriptions"):
        trial = {**data, "positions": oracle(scorer, data, args.gold, mode)}
        print(f"| perfect detection, actor = {mode} | {score(scorer, args.out, args.gold, trial)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
