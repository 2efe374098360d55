"""Which offer theme a problem, described in the user's own words, belongs to.

A transparent keyword match over the catalogue (no model): the user always confirms
the suggestion, so being explainable matters more than being clever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

from bot import catalogue as catalogue_module
from bot.text import fold

# Shorter keywords match whole words (or their inflections) only: 'lys' must not match 'lyst'.
PREFIX_MIN_LENGTH = 5
# A keyword stem this long also matches as the last part of a compound ('personalegruppen').
COMPOUND_MIN_LENGTH = 5
# A keyword stem this long also matches a word one typing slip away ('mobnig', 'chikanne').
TYPO_MIN_LENGTH = 6
# parse_choice's answer when the user says that no theme fits.
NONE = "ingen"
NONE_OF_THEM = frozenset({"ingen", "ingen af dem", "ingen af temaerne", "ingen passer",
                          "ingen af dem passer", "ingen af de temaer"})


@dataclass(frozen=True)
class Assessment:
    """What a problem description touches: themes (best first) and exclusions."""

    themes: tuple[str, ...]
    exclusions: tuple[str, ...]  # "personsag", "paabud"
    out_of_theme: bool

    @property
    def best(self) -> Optional[str]:
        return self.themes[0] if self.themes else None

# Danish inflectional endings, longest first, on folded text (æ -> ae ...): 'truede', 'truer',
# 'truet' and 'true' all become 'tru'; 'lederne', 'ledere' and 'leder' become 'led'. Stems are
# only keys that a keyword and a word share, so consistency matters more than linguistics.
_ENDINGS = ("erne", "ernes", "endes", "ende", "edes", "ede", "ere", "enes", "ene", "ets", "ers",
            "er", "et", "en", "es", "e", "s")
_STEM_MIN = 3


def stem(word: str) -> str:
    """A folded word without its inflectional ending: 'personalegruppen' -> 'personalegrupp'."""
    for ending in _ENDINGS:
        minimum = _STEM_MIN + 1 if ending.startswith("end") else _STEM_MIN  # 'skaendes' is no 'ska'
        if word.endswith(ending) and len(word) - len(ending) >= minimum:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True)
class _Word:
    """One word of a description: as typed (folded) and stemmed."""

    folded: str
    stem: str


def _words(text: str) -> list[_Word]:
    return [_Word(w, stem(w)) for w in re.findall(r"[0-9a-z]+", fold(text))]


def _one_slip(a: str, b: str) -> bool:
    """One letter inserted, dropped, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@lru_cache(maxsize=4096)
def _keyword_parts(keyword: str) -> tuple[tuple[str, str], ...]:
    """A keyword's words as (folded, stem) pairs: 'nye kolleger' -> (('nye', 'ny'), ('kolleger', 'kolleg')).

    A keyword written '=sparket' matches that exact word only (its stem 'spark' would also
    match the offer's name SPARK); the stem of such a part is empty.
    """
    exact = keyword.startswith("=")
    return tuple((w.folded, "" if exact else w.stem) for w in _words(keyword.lstrip("=")))


def _word_matches(part: tuple[str, str], word: _Word, last: bool) -> bool:
    """Whether one keyword word matches one word of the text.

    Any keyword matches its own inflections (same stem); a long one also matches words that
    start with it (derivations and compounds: 'klike' -> 'klikedannelse'), words that end
    with it (compounds: 'gruppe' -> 'personalegruppen') and one-letter typing slips. Inside
    a phrase only the last word may be a prefix.
    """
    folded, stemmed = part
    if word.folded == folded:
        return True
    if not stemmed:
        return False
    if word.stem == stemmed:
        return True
    if len(folded) < PREFIX_MIN_LENGTH:
        return False
    if last and (word.folded.startswith(folded)
                 or (len(stemmed) >= PREFIX_MIN_LENGTH and word.stem.startswith(stemmed))):
        return True
    if len(stemmed) >= COMPOUND_MIN_LENGTH and len(word.stem) >= len(stemmed) + 3 \
            and word.stem.endswith(stemmed):
        return True
    # Slips rarely hit the first letters, and there real words differ: 'medarbejder' is no 'modarbejde'.
    return len(stemmed) >= TYPO_MIN_LENGTH and word.stem[:3] == stemmed[:3] and _one_slip(word.stem, stemmed)


def _spans(keyword: str, words: list[_Word]) -> list[range]:
    """Where in the text the keyword occurs, as ranges of word positions."""
    parts = _keyword_parts(keyword)
    n = len(parts)
    return [range(i, i + n) for i in range(len(words) - n + 1) if n
            and all(_word_matches(parts[j], words[i + j], last=j == n - 1) for j in range(n))]


def _specificity(keyword: str) -> tuple[int, int]:
    return len(_keyword_parts(keyword)), len(keyword)


def find_keywords(text: str, groups: dict[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Which keywords of each group the text contains, the most specific claiming its words first.

    A word belongs to one keyword: 'slået sammen' (a merger) takes 'slået' from 'slået'
    (violence), 'forflytning' (lifting a patient) takes it from 'flytning' (a move), across
    all groups. A keyword found in the same place as an equally specific one keeps it too.
    """
    words = _words(text)
    pending = sorted(((keyword, group) for group, keywords in groups.items() for keyword in keywords),
                     key=lambda item: _specificity(item[0]), reverse=True)
    claimed: dict[int, tuple[int, int]] = {}  # word position -> specificity of its keyword
    found: dict[str, list[str]] = {group: [] for group in groups}
    for keyword, group in pending:
        rank = _specificity(keyword)
        for span in _spans(keyword, words):
            if all(claimed.get(i, rank) <= rank for i in span):
                for i in span:
                    claimed[i] = rank
                if keyword not in found[group]:
                    found[group].append(keyword)
    return {group: tuple(keywords) for group, keywords in found.items()}


def assess(text: str, offer_code: str = "spark") -> Assessment:
    """Rank the offer's themes by keyword hits in the text; note exclusions and off-theme topics."""
    catalogue = catalogue_module.load()
    offer_themes = catalogue.themes_for(offer_code)
    groups: dict[str, Iterable[str]] = {f"theme:{t.code}": t.keywords for t in offer_themes}
    groups |= {f"exclusion:{name}": keywords for name, keywords in catalogue.exclusions.items()}
    groups["out_of_theme"] = catalogue.out_of_theme_keywords
    found = find_keywords(text, groups)
    # A theme must outweigh the physical or pay topics in the text: 'for få parkeringspladser'
    # is about parking, not staffing, and a wrong suggestion is worse than none.
    outside = len(found["out_of_theme"])
    scored = sorted((-len(found[f"theme:{t.code}"]), order, t.code)
                    for order, t in enumerate(offer_themes) if len(found[f"theme:{t.code}"]) > outside)
    return Assessment(
        themes=tuple(code for _, _, code in scored),
        exclusions=tuple(name for name in catalogue.exclusions if found[f"exclusion:{name}"]),
        out_of_theme=bool(found["out_of_theme"]),
    )


def parse_choice(text: str, offer_code: str = "spark") -> Optional[str]:
    """A theme the user picked by name, code or number ('chikane', '3'), or NONE for 'ingen af dem'."""
    themes = catalogue_module.load().themes_for(offer_code)
    answer = fold(text).strip(" .!")
    if answer in NONE_OF_THEM:
        return NONE
    number = re.fullmatch(r"(?:nr\.? ?|nummer |tema )?([0-9])", answer)
    if number and 1 <= int(number.group(1)) <= len(themes):
        return themes[int(number.group(1)) - 1].code
    for theme in themes:
        if answer == theme.code or (len(answer) >= 5 and answer in fold(theme.label)):
            return theme.code
    return None
