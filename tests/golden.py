"""Check extracted records against a golden case (tests/cases/*/*.json).

The golden format is the one of the shared development set: per article the
expected metadata, positions (matched by an `anchor` their text must contain and
their actor), comments (matched by anchor), and passages that are optional or
must not be positions. `check_case` returns the list of differences; an empty
list means the case passes. Unlike a score, every difference is reported.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

_FOLD = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2018": "'",
         "\u2019": "'", "\u2013": "-", "\u2014": "-", "\u00a0": " "}


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    for a, b in _FOLD.items():
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip()


def loose(text: str | None) -> str:
    return norm(text).lower().replace('"', "").replace("'", "").strip(" .,;:!?")


@dataclass
class Case:
    name: str
    text_path: Path
    gold: dict[str, Any]
    fetched_at: datetime | None = None
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def load_cases(folder: Path) -> list[Case]:
    cases = []
    for path in sorted(folder.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        fetched = gold.get("fetched_at")
        cases.append(Case(path.stem, path.with_name(gold["file"]), gold,
                          datetime.fromisoformat(fetched.replace("Z", "+00:00")) if fetched else None))
    return cases


def _quotes_equal(gold: list[str], got: list[str]) -> bool:
    g = [loose(q) for q in gold]
    p = [loose(q) for q in got or []]
    if len(g) != len(p):
        return False
    return all(
        a and (a in b or b in a) and min(len(a), len(b)) >= 0.6 * max(len(a), len(b))
        for a, b in zip(g, p, strict=True)
    )


def _check_article(gold: dict[str, Any], art: dict[str, Any], errors: list[str]) -> None:
    title = (gold.get("title") or "")[:40]

    def bad(name: str, got: object) -> None:
        errors.append(f"article {title!r}: {name} wrong (got {str(got)[:100]!r})")

    if "title" in gold and norm(art["title"]) != norm(gold["title"]):
        bad("title", art["title"])
    if "publisher" in gold and loose(art.get("publisher")) != loose(gold["publisher"]):
        bad("publisher", art.get("publisher"))
    if "credits" in gold and sorted(map(loose, art.get("credits") or [])) != sorted(map(loose, gold["credits"])):
        bad("credits", art.get("credits"))
    if "sections" in gold and [norm(s) for s in art.get("sections") or []] != [norm(s) for s in gold["sections"]]:
        bad("sections", art.get("sections"))
    if "lede_prefix" in gold and not norm(art.get("lede")).startswith(norm(gold["lede_prefix"])):
        bad("lede", art.get("lede"))
    if "published_at_prefix" in gold and not str(art.get("published_at") or "").startswith(gold["published_at_prefix"]):
        bad("published_at", art.get("published_at"))
    body = norm(art.get("body"))
    for must in gold.get("body_must_contain", []):
        if norm(must) not in body:
            errors.append(f"article {title!r}: body lacks {must[:50]!r}")
    for must_not in gold.get("body_must_not_contain", []):
        if norm(must_not) in body:
            errors.append(f"article {title!r}: body holds {must_not[:50]!r}")


def _check_positions(gold: dict[str, Any], pred: list[dict[str, Any]], errors: list[str]) -> None:
    used: set[int] = set()
    for g in gold.get("positions", []):
        anchor = norm(g["anchor"])
        cands = [i for i, p in enumerate(pred) if i not in used and anchor in norm(p["text"])]
        good = [i for i in cands if loose(pred[i]["actor"]) == loose(g["actor"])]
        if not good:
            got = [pred[i]["actor"] for i in cands]
            errors.append(f"position missed: {g['anchor'][:50]!r} by {g['actor']!r}" + (f" (got {got})" if got else ""))
            continue
        i = good[0]
        used.add(i)
        p = pred[i]
        for name in ("topic", "cue", "act", "actor_affiliation"):
            if name in g and loose(p.get(name)) != loose(g[name]):
                errors.append(f"position {g['anchor'][:40]!r}: {name} {p.get(name)!r} != {g[name]!r}")
        if "actor_role" in g:
            role = p.get("actor_role")
            ok = bool(g["actor_role"]) == bool(role) and loose(g["actor_role"]) in loose(role)
            if not ok:
                errors.append(f"position {g['anchor'][:40]!r}: actor_role {role!r} lacks {g['actor_role']!r}")
        if "negated" in g and bool(p.get("negated")) != g["negated"]:
            errors.append(f"position {g['anchor'][:40]!r}: negated {p.get('negated')!r} != {g['negated']!r}")
        if "quotes" in g and not _quotes_equal(g["quotes"], p.get("quotes") or []):
            errors.append(f"position {g['anchor'][:40]!r}: quotes {p.get('quotes')!r} != {g['quotes']!r}")
    optional = [norm(o["anchor"]) for o in gold.get("optional_positions", [])]
    for i, p in enumerate(pred):
        if i not in used and not any(a in norm(p["text"]) for a in optional):
            errors.append(f"position not in golden: {norm(p['text'])[:60]!r} by {p['actor']!r}")


def _match_comments(gold: dict[str, Any], pred: list[dict[str, Any]],
                    errors: list[str]) -> tuple[dict[str, dict[str, Any]], set[int]]:
    """Pair each golden comment with the first unused predicted comment holding its anchor."""
    by_key: dict[str, dict[str, Any]] = {}
    used: set[int] = set()
    for g in gold.get("comments", []):
        anchor = norm(g["anchor"])
        cands = [i for i, p in enumerate(pred) if i not in used and anchor in norm(p["text"])]
        if not cands:
            errors.append(f"comment missed: {g['anchor'][:50]!r}")
            continue
        used.add(cands[0])
        by_key[g["key"]] = pred[cands[0]]
    return by_key, used


def _check_comment_fields(g: dict[str, Any], p: dict[str, Any], by_key: dict[str, dict[str, Any]],
                          errors: list[str]) -> None:
    where = f"comment {g['anchor'][:30]!r}"
    for name in ("depth", "likes", "author"):
        if name in g:
            expected, got = g[name], p.get(name)
            ok = loose(str(got)) == loose(str(expected)) if expected is not None else got in (None, "")
            if not ok:
                errors.append(f"{where}: {name} {p.get(name)!r} != {g[name]!r}")
    if "posted_at_prefix" in g and not str(p.get("posted_at") or "").startswith(g["posted_at_prefix"]):
        errors.append(f"{where}: posted_at {p.get('posted_at')!r} lacks {g['posted_at_prefix']!r}")
    if "posted_at_text" in g and norm(p.get("posted_at_text")) != norm(g["posted_at_text"]):
        errors.append(f"{where}: posted_at_text {p.get('posted_at_text')!r} != {g['posted_at_text']!r}")
    if "parent" in g:
        want = by_key.get(g["parent"]) if g["parent"] else None
        ok = p.get("parent_id") is None if want is None else p.get("parent_id") == want.get("comment_id")
        if not ok:
            errors.append(f"{where}: wrong parent")
    if "quotes" in g and not _quotes_equal(g["quotes"], p.get("quotes") or []):
        errors.append(f"{where}: quotes {p.get('quotes')!r} != {g['quotes']!r}")
    _check_comment_text(g, p, where, errors)


def _check_comment_text(g: dict[str, Any], p: dict[str, Any], where: str, errors: list[str]) -> None:
    text = norm(p.get("text"))
    for must in g.get("text_must_contain", []):
        if norm(must) not in text:
            errors.append(f"{where}: text lacks {must[:40]!r}")
    for must_not in g.get("text_must_not_contain", []):
        if norm(must_not) in text:
            errors.append(f"{where}: text holds {must_not[:40]!r}")


def _check_comments(gold: dict[str, Any], pred: list[dict[str, Any]], errors: list[str]) -> None:
    by_key, used = _match_comments(gold, pred, errors)
    for g in gold.get("comments", []):
        if g["key"] in by_key:
            _check_comment_fields(g, by_key[g["key"]], by_key, errors)
    optional = gold.get("optional_comments", [])
    for i, p in enumerate(pred):
        if i in used:
            continue
        if any(("author" in o and loose(p.get("author")) == loose(o["author"]))
               or ("anchor" in o and norm(o["anchor"]) in norm(p.get("text"))) for o in optional):
            continue
        errors.append(f"comment not in golden: {norm(p.get('text'))[:60]!r}")


def check_case(gold: dict[str, Any], articles: list[dict[str, Any]], positions: list[dict[str, Any]],
               comments: list[dict[str, Any]]) -> list[str]:
    """Differences between the records extracted from one document and its golden file."""
    errors: list[str] = []
    for k, g in enumerate(gold["articles"]):
        art = next((a for a in articles if norm(a["title"]) == norm(g.get("title"))), None)
        if art is None and k < len(articles):
            art = articles[k]
        if art is None:
            errors.append(f"article missed: {g.get('title')!r}")
            continue
        _check_article(g, art, errors)
        aid = art["article_id"]
        if "positions" in g:
            _check_positions(g, sorted((p for p in positions if p["article_id"] == aid), key=lambda p: p["ordinal"]),
                             errors)
        if "comments" in g:
            _check_comments(g, sorted((c for c in comments if c["article_id"] == aid), key=lambda c: c["ordinal"]),
                            errors)
    return errors
