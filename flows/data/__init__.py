"""Word lists and gazetteers as data: reporting verbs and cue phrases with their speech-act
classes, roles, honorifics, given names, countries, demonyms, organisations, page chrome and
comment interface words, time zones. Read once through `flows.lexicon`; their sources are in
SOURCES.md, and `tests/extract/test_lexicons.py` checks every file."""
