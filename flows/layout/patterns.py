"""Line patterns of pasted web pages: page furniture, metadata lines, comment widgets.

Every function here looks at one line's `key` (see `lines.clean`) and answers one
question about it. The word lists live in flows/data/ (chrome.txt,
comment_interface.txt); the shapes of lines live here as regular expressions, all
anchored and free of nested quantifiers so that they run in linear time.
"""

from __future__ import annotations

import re
from functools import cache

from flows.decode.text import copyright_holder
from flows.lexicon import read_lines

__all__ = [
    "BULLET",
    "COMMENT_BULLET",
    "NUMBERED",
    "byline_names",
    "copyright_holder",
    "credit_names",
    "is_chrome",
    "is_comment_section_header",
    "is_interface",
    "is_list_heading",
    "is_menu",
    "likes_in",
    "split_names",
]

#: A list item: a dash or bullet, or a number, then the item's text.
BULLET = re.compile(r"^(?P<marker>[–—\-•·*▪◦‣●○■□➤►✓]|\d{1,3}[.)])\s+(?=\S)")
#: Bullets used for replies in comment threads (not dashes, which start list items).
COMMENT_BULLET = re.compile(r"^(?P<marker>[•·◦▪‣●○↳]|&gt;&gt;)\s*(?=\S)")
#: A numbered top-level comment: "1." or "12)".
NUMBERED = re.compile(r"^(?P<marker>\d{1,5}[.)])\s+(?=\S)")

_SEPARATORS = re.compile(r"\s*(?:[•|·›»/]|\[[–\-+]\]|\s{2,})\s*")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\bwith\b|\|)\s*", re.I)
_BYLINE = re.compile(
    r"^(?:by|written by|story by|words by|reported by|text by|report by|reporting by|von|par|por)\s*[:\-]?\s+"
    r"(?P<names>[^\s].*)$",
    re.I,
)
_CREDIT_LINE = re.compile(
    r"^\(?\s*(?:additional|further|with additional)?\s*(?:reporting|writing|editing|research|"
    r"additional reporting|compiled|graphics|translation|photos?|video)\s+(?:was\s+)?(?:by|from)\s+"
    r"(?P<names>.+?)\s*\)?\.?$",
    re.I,
)
_CONTRIBUTED = re.compile(
    r"^(?P<names>.+?)\s+(?:contributed|also contributed|contributes)(?:\s+(?:reporting|to this "
    r"(?:report|article|story)|research))?(?:\s+from\s+.+)?\s*\.?$",
    re.I,
)
_SOURCE_LINE = re.compile(r"^(?:source|sources|via|credit|courtesy(?: of)?)\s*:\s*(?P<names>.+?)\.?$", re.I)
_SECTION_HEADER = re.compile(
    r"^(?:(?:\d[\d,.]*k?|one|two|three|four|five|six|seven|eight|nine|ten|no)\s+"
    r"(?:comments?|responses?|replies|reactions?|thoughts?|opinions?)(?:\s+(?:on|to|for)\b.*)?"
    r"|(?:reader\s+|user\s+|show\s+|view\s+|see\s+|all\s+|top\s+|latest\s+)?comments?(?:\s*\(\d+\))?"
    r"|(?:leave|post|add|write)\s+an?\s+(?:reply|comment|response)(?:\s+cancel reply)?"
    r"|join the (?:discussion|conversation)|discussion|conversation|what do you think\??"
    r"|comments? (?:are|is) closed|(?:sign|log) in to (?:comment|reply|join the conversation)"
    r"|responses?|replies|talkback|have your say|reader reactions?)\s*[:.]?$",
    re.I,
)
_LIKES = (
    re.compile(r"^(?:like)*liked by (?P<n>\d[\d,]*) (?:people|persons?|others?|users?|readers?)\b", re.I),
    re.compile(r"^(?P<n>\d[\d,]*)\s+(?:likes?|points?|upvotes?|votes?|recommendations?|recommends?|"
               r"people like this|hearts?)\b", re.I),
    re.compile(r"^(?:▲|↑|\+|👍|♥|❤)\s*(?P<n>\d[\d,]*)\b"),
    re.compile(r"^(?:likes?|points?|score|recommend(?:ed)?)\s*[:(]?\s*(?P<n>\d[\d,]*)\)?$", re.I),
)
_LIKE_WIDGET = re.compile(r"^(?:like|likelike|like this|👍|♥|▲)(?:\s|$)", re.I)
_MENU_ITEM = re.compile(r"^[A-Z0-9&][\w&'’.\-]*(?: [A-Z&][\w&'’.\-]*){0,2}$")


@cache
def _chrome() -> tuple[frozenset[str], re.Pattern[str]]:
    """The literal lines of chrome.txt (folded), and its patterns as one (any of them matching)."""
    literal: set[str] = set()
    patterns: list[str] = []
    for entry in read_lines("chrome.txt"):
        if entry.startswith("re:"):
            re.compile(entry[3:].strip(), re.I)  # each must be a pattern of its own
            patterns.append(f"(?:{entry[3:].strip()})")
        else:
            literal.add(_fold(entry))
    return frozenset(literal), re.compile("|".join(patterns) or r"(?!)", re.I)


@cache
def _interface_words() -> frozenset[str]:
    return frozenset(read_lines("comment_interface.txt"))


_TRAILING = ":.…›»>→↓↑|"  # stripped from the end of a line (with white space) before it is compared
# Where `_SEPARATORS` may split a line: at a separator mark, a '[' or two white-space characters
# (which are two spaces, or include an unprintable one: every white-space character but " " is).
_SEPARATOR_MARKS = ("•", "|", "·", "›", "»", "/", "[")


def _may_separate(text: str) -> bool:
    return "  " in text or not text.isprintable() or any(mark in text for mark in _SEPARATOR_MARKS)


def _fold(text: str) -> str:
    """`text` in lower case without the white space and `_TRAILING` marks at its end, stripped:
    what a regex substitution of a trailing run of them gives, without trying at every position."""
    text = text.lower()
    while True:
        stripped = text.rstrip().rstrip(_TRAILING)
        if stripped == text:
            return stripped.strip()
        text = stripped


# Short lines repeat (widget lines, 'Reply', names, dates): the answers of the line tests for lines
# up to _SHORT characters are kept per process (they depend on the line only), each table
# forgotten when it grows past _MEMO_LIMIT lines.
_SHORT = 120
_MEMO_LIMIT = 100_000
_CHROME: dict[str, bool] = {}
_INTERFACE: dict[str, bool] = {}


def _remember(memo: dict[str, bool], key: str, answer: bool) -> bool:
    if len(key) <= _SHORT:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = answer
    return answer


def is_chrome(key: str) -> bool:
    """Page furniture: share buttons, newsletter boxes, 'Advertisement', 'Read more: …'."""
    known = _CHROME.get(key)
    return known if known is not None else _remember(_CHROME, key, _is_chrome(key))


def _is_chrome(key: str) -> bool:
    literal, patterns = _chrome()
    folded = _fold(key)
    if folded in literal:
        return True
    if patterns.match(key):
        return True
    if not _may_separate(folded):
        return False  # one part only
    parts = [p for p in _SEPARATORS.split(folded) if p]
    return len(parts) > 1 and all(_fold(p) in literal for p in parts)


def is_menu(key: str) -> bool:
    """A navigation menu: three or more short capitalised items separated by | • or wide spaces."""
    if len(key) > 160 or key.endswith((".", "!", "?", ":", "”", '"')):
        return False
    parts = [p for p in re.split(r"\s*[|•·/»\t]\s*|\s{2,}", key) if p]
    if len(parts) < 3:
        return False
    return all(_MENU_ITEM.match(p) for p in parts)


@cache
def _list_headings() -> frozenset[str]:
    return frozenset(_fold(entry) for entry in read_lines("chrome_lists.txt"))


def is_list_heading(key: str) -> bool:
    """'Related articles', 'Most read': a heading of links to other pages."""
    return _fold(key) in _list_headings()


def split_names(text: str) -> list[str]:
    """'Jane Doe and John Roe, Reuters' -> ['Jane Doe', 'John Roe', 'Reuters']."""
    text = re.sub(r"\s+(?:in|from)\s+[A-Z][\w.\- ]+?(?=\s*(?:[,;&|]|\band\b|$))", "", text)
    names = []
    for part in _NAME_SPLIT.split(text):
        part = part.strip(" .;:()[]-–—")
        if part and part.lower() not in {"staff", "and", "the", "by"} and len(part) <= 80:
            names.append(part)
    return names


def byline_names(key: str) -> list[str] | None:
    """Names in a byline ('By Jane Doe and John Roe, Reuters'), or None when `key` is none."""
    match = _BYLINE.match(key)
    if not match or len(key) > 200:
        return None
    names_part = re.split(r"\s+\|\s+|\s+[-–—]\s+(?=\S*\d)|\s*\|\s*", match.group("names"))[0]
    names = split_names(names_part)
    if not names or not all(n[:1].isupper() or n[:1].isdigit() for n in names):
        return None
    if any(len(n.split()) > 6 for n in names):
        return None
    return names


def credit_names(key: str) -> list[str] | None:
    """Names in a credit line ('AFP contributed reporting.', 'Reporting by Reuters.'), or None."""
    if len(key) > 300:
        return None
    if key.startswith("(") and key.endswith(")") and ";" in key:
        names: list[str] = []
        for part in key[1:-1].split(";"):
            found = credit_names(part.strip())
            if found is None:
                return None
            names.extend(found)
        return names or None
    for pattern in (_CREDIT_LINE, _SOURCE_LINE, _CONTRIBUTED):
        match = pattern.match(key)
        if match:
            names = split_names(match.group("names"))
            if names and all(n[:1].isupper() for n in names) and all(len(n.split()) <= 6 for n in names):
                return names
    return None


def is_comment_section_header(key: str) -> bool:
    """'14 thoughts on “Title”', '3 Comments', 'Leave a Reply', 'Join the discussion' …"""
    return len(key) <= 200 and bool(_SECTION_HEADER.match(key))


# How a like widget can start: 'like…', 'points', 'score', 'recommend' in any case, a digit, or one
# of the symbols of `_LIKES` and `_LIKE_WIDGET`. (Ignoring case, a few other letters match: 'ſ' is
# 's', 'K' is 'k', 'İ' and 'ı' are 'i'; for text that is not ASCII only the first letter is tested.)
_LIKE_WORDS = ("like", "point", "score", "recommend")
_LIKE_FIRST = frozenset("LPRSlprsſ▲↑+👍♥❤")
_LIKE_SYMBOLS = frozenset("▲↑+👍♥❤")


def _may_show_likes(key: str) -> bool:
    """Whether `key` (or `key` without its leading spaces) may match a like pattern."""
    text = key.lstrip()  # (no pattern matches at a space, so `key` matches only if this does)
    first = text[:1]
    if first.isdecimal() or first in _LIKE_SYMBOLS:
        return True
    if not text.isascii():
        return first in _LIKE_FIRST
    return text[:9].lower().startswith(_LIKE_WORDS)


def likes_in(key: str) -> int | None:
    """The like count a widget line shows ('Liked by 4 people', '12 likes • Reply'); 0 for a bare
    'Like' button; None when the line shows no like widget."""
    if not _may_show_likes(key):
        return None  # (most lines: the patterns below all need one of a few beginnings)
    first = _SEPARATORS.split(key.strip())[0] if key.strip() else ""
    for candidate in (key, first):
        for pattern in _LIKES:
            match = pattern.match(candidate)
            if match:
                return int(match.group("n").replace(",", ""))
    if _LIKE_WIDGET.match(key):
        return 0
    return None


def is_interface(key: str) -> bool:
    """A line of comment-widget controls: 'Reply', 'Like • Reply • Share ›', 'Liked by 4 people'."""
    known = _INTERFACE.get(key)
    return known if known is not None else _remember(_INTERFACE, key, _is_interface(key))


def _is_interface(key: str) -> bool:
    if not key or len(key) > 120:
        return False
    folded = key.lower()
    if likes_in(key) is not None and (
        re.match(r"^(?:like)*liked by ", folded) or all(_is_control(p) for p in _SEPARATORS.split(folded) if p)
    ):
        return True
    parts = [p for p in _SEPARATORS.split(folded) if p]
    return bool(parts) and all(_is_control(p) for p in parts)


def _is_control(part: str) -> bool:
    words = _interface_words()
    part = part.strip(" ()[]›»←→↑↓▲▼")
    if not part or part in words:
        return True
    if re.fullmatch(r"\d[\d,]*\s*(?:likes?|points?|votes?|upvotes?|replies|reply)?", part):
        return True
    return all(w in words or w.isdigit() for w in part.split())
