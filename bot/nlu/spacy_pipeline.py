"""Builds the project's small Danish spaCy pipeline: blank 'da', lookup lemmas, place names.

No Danish model can be downloaded here, so setup builds this folder once and Rasa's
SpacyNLP loads it by path (config.yml).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.domain import geography


def build(target: str | Path) -> Path:
    import spacy

    nlp = spacy.blank("da")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    # Patterns go in after initialize(): initialising would reset the ruler, and the
    # lemmatizer's lookup tables (spacy-lookups-data) are loaded by initialize().
    nlp.initialize()
    ruler.add_patterns(geography.load().ruler_patterns())
    target = Path(target)
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target
