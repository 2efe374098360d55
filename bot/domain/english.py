"""A message in English, read for what it tells: the bot answers in Danish only, but it keeps the facts.

International staff at Danish public workplaces write in English ("Hi, I'm team lead at Borgerservice
in Sonderborg municipality. Lots of angry citizens ..."). `readable` turns such a message into the
Danish words the rest of the bot reads (bot/data/english.yml `gloss`: "jeg er teamleder på
Borgerservice i Sonderborg kommune. Lots of vrede borgere ..."), so its workplace, role and problem are
found as in a Danish message; `question_topic` gives the FAQ topic an English question asks about. A
message that does not look English (bot.domain.text.looks_english) is read as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from bot.domain import workplaces
from bot.domain.messages import OFFER_TOPIC_BY_SECTOR
from bot.domain.text import looks_english

DATA = Path(__file__).resolve().parents[1] / "data" / "english.yml"
_QUESTION = re.compile(r"\?|^\s*(?:what|how|who|when|where|why|is|are|does|do|can|could|will|would)\b", re.I)


@dataclass(frozen=True)
class _English:
    gloss: dict[str, str]
    pattern: re.Pattern
    topics: tuple[tuple[str, re.Pattern], ...]


@lru_cache(maxsize=1)
def _load() -> _English:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    gloss = {str(k).lower(): str(v) for k, v in data["gloss"].items()}
    phrases = sorted(
        gloss, key=len, reverse=True
    )  # longest first: "aarhus university hospital" before "aarhus university"
    pattern = re.compile(r"(?<![\w'-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w'-])", re.I)
    topics = tuple((str(t["topic"]), re.compile(t["when"], re.I)) for t in data["topics"])
    return _English(gloss, pattern, topics)


@lru_cache(maxsize=256)
def readable(text: str) -> str:
    """The text with its English words in Danish, when it looks English; else the text itself."""
    if not looks_english(text):
        return text
    english = _load()
    glossed = english.pattern.sub(lambda m: english.gloss[m.group(0).lower()], text)
    return re.sub(r"[ \t]{2,}", " ", glossed).strip()


def question_topic(text: str) -> Optional[str]:
    """The FAQ topic ('faq/pris') an English message asks about, or None (not English, or no question
    about the offers: 'can you help us?' asks for the form, not for an answer)."""
    if not looks_english(text):
        return None
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if not _QUESTION.search(sentence):
            continue
        for topic, when in _load().topics:
            if when.search(sentence):
                if topic == "<sector>":
                    sector = workplaces.read(readable(text)).sector or "kommunal"
                    return OFFER_TOPIC_BY_SECTOR[sector]
                return topic
    return None
