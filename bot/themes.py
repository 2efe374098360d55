"""Which offer theme a problem, described in the user's own words, belongs to.

A transparent keyword match over the catalogue (no model): the user always confirms
the suggestion, so being explainable matters more than being clever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from bot import catalogue as catalogue_module
from bot.text import fold

# Shorter keywords match whole words only ('lys' must not match 'lyst').
PREFIX_MIN_LENGTH = 5
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


def _hits(keywords: Iterable[str], folded_text: str, folded_words: list[str]) -> int:
    count = 0
    for keyword in keywords:
        k = fold(keyword)
        if " " in k or "-" in k:
            count += bool(re.search(rf"(?<![0-9a-z]){re.escape(k)}", folded_text))
        elif len(k) >= PREFIX_MIN_LENGTH:
            count += any(word.startswith(k) for word in folded_words)
        else:
            count += k in folded_words
    return count


def assess(text: str, offer_code: str = "spark") -> Assessment:
    """Rank the offer's themes by keyword hits in the text; note exclusions and off-theme topics."""
    catalogue = catalogue_module.load()
    folded = fold(text)
    folded_words = re.findall(r"[0-9a-z]+", folded)
    scored = []
    for order, theme in enumerate(catalogue.themes_for(offer_code)):
        score = _hits(theme.keywords, folded, folded_words)
        if score:
            scored.append((-score, order, theme.code))
    exclusions = tuple(name for name, keywords in catalogue.exclusions.items()
                       if _hits(keywords, folded, folded_words))
    return Assessment(
        themes=tuple(code for _, _, code in sorted(scored)),
        exclusions=exclusions,
        out_of_theme=bool(_hits(catalogue.out_of_theme_keywords, folded, folded_words)),
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
