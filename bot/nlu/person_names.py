"""Writes data/nlu/lookup_names.yml: common given names and surnames in Denmark, in the
spellings people type, as one lookup table that Rasa's RegexFeaturizer turns into a single
'person_name' feature.

Why: the n-gram model only knows the names in its training examples, so a bare "Rikke" or
"Fatma Yilmaz" (the answer to "hvad hedder du?") looked like small talk or out_of_scope.
The names live in bot/data/person_names.yml (knowledge as data); each with æ/ø/å is also
written as people write it without them (Søren -> soeren, soren; Østergaard -> oestergaard,
ostergaard). Regenerate with `python -m bot.nlu.person_names`; a unit test checks the file is fresh.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import yaml

from bot.nlu import lookup_tables as nlu_lookup

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "bot" / "data" / "person_names.yml"
TARGET = ROOT / "data" / "nlu" / "lookup_names.yml"

# How a name is written on a keyboard without æ/ø/å (both the official and the lazy spelling).
_ASCII_SPELLINGS = ({"æ": "ae", "ø": "oe", "å": "aa", "é": "e"}, {"æ": "a", "ø": "o", "å": "a", "é": "e"})


def spellings(name: str) -> set[str]:
    """The lower-case ways to write a name: as is, and with æ/ø/å/é spelled out in ASCII."""
    name = unicodedata.normalize("NFC", name).lower()
    return {name} | {"".join(table.get(ch, ch) for ch in name) for table in _ASCII_SPELLINGS}


def names(source: Path = SOURCE) -> list[str]:
    """Every spelling of every given name and surname, sorted, without duplicates."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return sorted({s for key in ("given", "surnames") for name in data[key] for s in spellings(name)})


def render(source: Path = SOURCE) -> str:
    return nlu_lookup.lookup_yaml("person_name", names(source), "bot.nlu.person_names", "bot/data/person_names.yml")


def main() -> int:
    return nlu_lookup.write(TARGET, render())


if __name__ == "__main__":
    sys.exit(main())
