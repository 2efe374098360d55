"""Which offer theme a problem, described in the user's own words, belongs to.

Transparent on purpose, since the user confirms every suggestion: first the catalogue's
keywords, matched the way Danish is written (inflections, compounds, æ/ø/å or ae/oe/aa,
typing slips); then a small naive Bayes model over example descriptions
(data/theme_examples.yml), which breaks ties and, only when it is sure, names a theme that
no keyword found. Nothing fits -> no suggestion; `explain` says why a theme was suggested.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional

import yaml

from bot.domain import catalogue as catalogue_module
from bot.domain.text import fold
from bot.domain.text import one_slip as _one_slip

# Shorter keywords match whole words (or their inflections) only: 'lys' must not match 'lyst'.
PREFIX_MIN_LENGTH = 5
# A keyword stem this long also matches as the last part of a compound ('personalegruppen').
COMPOUND_MIN_LENGTH = 5
# A keyword stem this long also matches a word one typing slip away ('mobnig', 'chikanne').
TYPO_MIN_LENGTH = 6
EXAMPLES_PATH = Path(__file__).resolve().parents[1] / "data" / "theme_examples.yml"
# The examples' label for descriptions that no theme fits.
NOT_A_THEME = "none"
# With no keyword found, the examples model suggests a theme only when it is at least this sure
# (chosen by cross-validation on the examples, tests/unit/test_themes.py): a wrong suggestion
# is worse than none, since the user can always pick from the list.
MODEL_MIN_CONFIDENCE = 0.7
# ... and only for a text with at least this many words it knows: on two words ('tid og
# ressourcer') naive Bayes is sure of far too little.
MODEL_MIN_WORDS = 3


# Small words, and keywords, that a word written without æ/ø/å would turn into ('hån' -> 'han', 'før' -> 'for',
# 'ændret' -> 'andret' like 'andre', 'brøk' -> 'brok'): such a word keeps its letters.
_SMALL_WORDS = frozenset(
    """
    af alle alt andre andet anden at da de dem den der det du en er et for fra han har hun i jo man med men mod
    og om op os sig sin som til ud var ved vi
    brok
    """.split()
)


def _base(word: str) -> str:
    """A word without a common ending, to compare with the small words ('ændret' -> 'andr' meets 'andre')."""
    for ending in ("erne", "ene", "er", "et", "en", "e"):
        if len(word) > len(ending) + 2 and word.endswith(ending):
            return word[: -len(ending)]
    return word


_SMALL_BASES = frozenset(_base(w) for w in _SMALL_WORDS)


def respell(folded: str) -> str:
    """Folded text with æ/ø/å written one way, as people type them without those letters: 'løn', 'loen'
    and 'lon' meet ('lonstigningen', 'hjalp', 'tradt'); a word that would become another small word keeps
    its letters ('hån' is no 'han'). Keywords and texts are compared so (measured on the theme held-out sets:
    no description lost, one regional description more right)."""
    return re.sub(r"[0-9a-z]+", _respell_word, folded)


def _respell_word(match: re.Match) -> str:
    word = match.group()
    short = word.replace("aa", "a").replace("ae", "a").replace("oe", "o")
    return word if short != word and (short in _SMALL_WORDS or _base(short) in _SMALL_BASES) else short


# Words that say nothing about a theme (folded, respelled): left out of the examples model.
STOPWORDS = frozenset(
    respell(w)
    for w in """
    af alle alt andre at bare blev bliver blive da de dem den der deres det dig din du efter eller
    en end er et for fordi fra faa faar gaar godt ham han hans har have hele hende her hos hun hvad
    hvem hver hvis hvor hvordan i ikke ind jeg jer jo kan kommer kun man mange med meget men mere
    mig min mod naar nok nu nye nogle noget ny nyt og om op os over paa saa sig sin sine skal som
    stadig til ud under ved vi vil vores vaere vaeret var ja nej hej tak hoerer
    region regionen kommune kommunen hospital hospitalet sygehus sygehuset spark
    """.split()
)  # the last line: where people work, or the offer, says nothing about the problem

# parse_choice's answer when the user says that no theme fits.
NONE = "ingen"
NONE_OF_THEM = frozenset(
    {"ingen", "ingen af dem", "ingen af temaerne", "ingen passer", "ingen af dem passer", "ingen af de temaer"}
)


@dataclass(frozen=True)
class Assessment:
    """What a problem description touches: themes (best first) and exclusions."""

    themes: tuple[str, ...]
    exclusions: tuple[str, ...]  # "personsag", "paabud"
    out_of_theme: bool
    denied: tuple[str, ...] = ()  # themes the text names only to deny them ("ingen vold")

    @property
    def best(self) -> Optional[str]:
        return self.themes[0] if self.themes else None


# Danish inflectional endings, tried in this order, on folded text (æ -> ae ...): 'truede', 'truer',
# 'truet' and 'true' all become 'tru'; 'lederne', 'ledere' and 'leder' become 'led'. Stems are
# only keys that a keyword and a word share, so consistency matters more than linguistics.
_STEM_MIN = 3
# (ending, the shortest word it is cut from): a participle ending must leave a longer stem
# ('skaendes' is no 'ska').
_ENDINGS = tuple(
    (ending, len(ending) + _STEM_MIN + ending.startswith("end"))
    for ending in (
        "erne",
        "ernes",
        "endes",
        "ende",
        "edes",
        "ede",
        "ere",
        "enes",
        "ene",
        "ets",
        "ers",
        "er",
        "et",
        "en",
        "es",
        "e",
        "s",
    )
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A folded word without its inflectional ending: 'personalegruppen' -> 'personalegrupp'."""
    for ending, shortest_word in _ENDINGS:
        if len(word) >= shortest_word and word.endswith(ending):
            return word[: -len(ending)]
    return word


@dataclass(frozen=True)
class _Word:
    """One word of a description: as typed (folded) and stemmed."""

    folded: str
    stem: str


# A department or workplace named after a topic outside the themes ("Løn & Personale", "kantinen på
# rådhuset"): the name is no topic of the message.
NAMED_AFTER_A_TOPIC = re.compile(
    r"\bl(?:oe|o)n\s*(?:&|og|-)\s*personale\w*|\bl(?:oe|o)n(?:afdeling|kontor|center|service)\w*|"
    r"\bkantine(?:n|rne)?\s+(?:paa|i|ved)\b|^\W*kantine(?:n)?\b|"
    # a department named after its subject ("institut for kemi"), and "behandler os som luft"
    r"\b(?:institut|afdeling|center|fakultet|sektion)\w* for [\w-]+|\bsom luft\b|"
    # a job named after its subject ("parkeringsvagterne", "kantinemedarbejder", "lønbogholder")
    r"\b(?:parkering|kantine|l(?:oe|o)n|ventilation)s?(?:vagt|kontrol|betjent|assistent|medarbejder|dame|"
    r"personale|bogholder|konsulent|chef|leder|tekniker|mont(?:oe|o)r)\w*"
)


def _words(text: str) -> list[_Word]:
    return [_Word(w, stem(w)) for w in re.findall(r"[0-9a-z]+", respell(fold(text)))]


@lru_cache(maxsize=4096)
def _keyword_parts(keyword: str) -> tuple[tuple[str, str, bool], ...]:
    """A keyword's words as (folded, stem, slips allowed): 'nye kolleger' -> (('nye', 'ny', True), ('kolleger',
    'kolleg', True)).

    A keyword written '=sparket' matches that exact word only (its stem 'spark' would also
    match the offer's name SPARK); the stem of such a part is empty.
    """
    exact = keyword.startswith("=")
    raw = re.findall(r"[0-9a-z]+", fold(keyword.lstrip("=")))
    # A keyword word written with æ/ø/å is shorter respelled, so one slip reaches more words ('udslæt' ->
    # 'udslat' -> 'udsat'): it matches no slips.
    return tuple((w.folded, "" if exact else w.stem, w.folded == r) for w, r in zip(_words(keyword.lstrip("=")), raw))


def _word_matches(part: tuple[str, str, bool], word: _Word, last: bool) -> bool:
    """Whether one keyword word matches one word of the text.

    Any keyword matches its own inflections (same stem); a long one also matches words that
    start with it (derivations and compounds: 'klike' -> 'klikedannelse'), words that end
    with it (compounds: 'gruppe' -> 'personalegruppen') and one-letter typing slips. Inside
    a phrase only the last word may be a prefix.
    """
    folded, stemmed, slips = part
    if word.folded == folded:
        return True
    if not stemmed:
        return False
    if word.stem == stemmed:
        return True
    if len(folded) < PREFIX_MIN_LENGTH:
        return False
    if last and (
        word.folded.startswith(folded) or (len(stemmed) >= PREFIX_MIN_LENGTH and word.stem.startswith(stemmed))
    ):
        return True
    if len(stemmed) >= COMPOUND_MIN_LENGTH and len(word.stem) >= len(stemmed) + 3 and word.stem.endswith(stemmed):
        return True
    # Slips rarely hit the first letters, and there real words differ: 'medarbejder' is no 'modarbejde'.
    return slips and len(stemmed) >= TYPO_MIN_LENGTH and word.stem[:3] == stemmed[:3] and _one_slip(word.stem, stemmed)


def _specificity(keyword: str) -> tuple[int, int]:
    return len(_keyword_parts(keyword)), len(keyword)


def _first_part_keys(part: tuple[str, str, bool]) -> list[str]:
    """Index keys a keyword's first word can match by (see _word_keys): every rule of
    _word_matches needs the same first three letters, or, for a compound, the same last five."""
    folded, stemmed, _ = part
    keys = ["a:" + folded[:3]]
    if stemmed and len(folded) >= PREFIX_MIN_LENGTH and len(stemmed) >= COMPOUND_MIN_LENGTH:
        keys.append("z:" + stemmed[-COMPOUND_MIN_LENGTH:])
    return keys


def _word_keys(word: _Word) -> tuple[str, str]:
    return "a:" + word.folded[:3], "z:" + word.stem[-COMPOUND_MIN_LENGTH:]


def find_keywords(text: str, groups: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Which keywords of each group the text contains, the most specific claiming its words first.

    A word belongs to one keyword: 'slået sammen' (a merger) takes 'slået' from 'slået'
    (violence), 'forflytning' (lifting a patient) takes it from 'flytning' (a move), across
    all groups. A keyword found in the same place as an equally specific one keeps it too.
    """
    return {
        group: tuple(dict.fromkeys(keyword for keyword, _ in found))
        for group, found in find_keyword_spans(_words(text), groups).items()
    }


@lru_cache(maxsize=64)
def _keyword_index(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[tuple[str, str]]]:
    """The keywords of the groups by the index keys of their first word (_first_part_keys), built once per set of
    groups: built on every call it was a fifth of the domain's time per message (cProfile over 200 messages)."""
    index: dict[str, list[tuple[str, str]]] = {}
    for group, keywords in groups:
        for keyword in keywords:
            parts = _keyword_parts(keyword)
            for key in _first_part_keys(parts[0]) if parts else ():
                index.setdefault(key, []).append((keyword, group))
    return index


def find_keyword_spans(words: list[_Word], groups: Mapping[str, Iterable[str]]) -> dict[str, list[tuple[str, range]]]:
    """find_keywords with where each keyword stands: group -> [(keyword, word positions)]."""
    # Only keywords whose first word could match some word of the text are tried (an index by
    # first and last letters): a few dozen of the hundreds, which keeps this at a millisecond.
    index = _keyword_index(tuple((group, tuple(keywords)) for group, keywords in groups.items()))
    spans: dict[tuple[str, str], list[range]] = {}
    for i, word in enumerate(words):
        for key in _word_keys(word):
            for keyword, group in index.get(key, ()):
                parts = _keyword_parts(keyword)
                n = len(parts)
                if i + n <= len(words) and all(
                    _word_matches(parts[j], words[i + j], last=j == n - 1) for j in range(n)
                ):
                    found_at = spans.setdefault((keyword, group), [])
                    if range(i, i + n) not in found_at:
                        found_at.append(range(i, i + n))
    claimed: dict[int, tuple[int, int]] = {}  # word position -> specificity of its keyword
    found: dict[str, list[tuple[str, range]]] = {group: [] for group in groups}
    for (keyword, group), where in sorted(spans.items(), key=lambda item: _specificity(item[0][0]), reverse=True):
        rank = _specificity(keyword)
        for span in where:
            if all(claimed.get(i, rank) <= rank for i in span):
                for i in span:
                    claimed[i] = rank
                found[group].append((keyword, span))
    return found


# Words that may stand between a negation and what it denies: "ikke tale om vold", "ingen egentlig mobning".
_NEGATION_FILLER = frozenset(
    respell(w)
    for w in """
    tale om nogen noget nogle laengere mere saerlig saerligt rigtig egentlig egentligt form for af med problemer
    problem tegn paa decideret direkte fysisk fysiske det der den en et saa meget helt heller handler er har vi
    oplevet set haft nok vaeret vaere store stor grund til i nu endnu heldigvis sket nogensinde
    """.split()
)
# ... and after it: "vold er ikke et problem", "trusler har vi ikke".
_DENIED_AFTER = (
    ("er", "ikke", "et", "problem"),
    ("er", "ikke", "noget", "problem"),
    ("har", "vi", "ikke"),
    ("oplever", "vi", "ikke"),
    ("er", "der", "ikke"),
    ("har", "vi", "heldigvis", "ikke"),
    ("er", "heldigvis", "ikke"),
    ("er", "ikke", "problemet"),
)
_LOOKBACK = 5


def negated(words: list[_Word], span: range, negations: frozenset[str]) -> bool:
    """Is the keyword at `span` denied: 'ingen vold', 'ikke tale om forandringer', 'hverken vold eller
    trusler', 'vold er ikke et problem'?"""
    i = span.start - 1
    while i >= 0 and span.start - i <= _LOOKBACK:
        word = words[i].folded
        if word in negations:
            return True
        if word == "eller" and any(w.folded == "hverken" for w in words[max(0, i - _LOOKBACK) : i]):
            return True
        if word not in _NEGATION_FILLER:
            break
        i -= 1
    after = tuple(w.folded for w in words[span.stop : span.stop + 4])
    return any(after[: len(pattern)] == pattern for pattern in _DENIED_AFTER)


@dataclass(frozen=True)
class ExampleModel:
    """Multinomial naive Bayes over the word stems of example descriptions (Laplace smoothing).

    Small and transparent: for any suggestion it can say which words weighed most.
    """

    log_prior: Mapping[str, float]
    log_likelihood: Mapping[str, Mapping[str, float]]  # class -> stem -> log P(stem | class)
    log_unseen: Mapping[str, float]  # class -> log P(a stem never seen with the class)

    def known(self, text: str) -> list[str]:
        """The text's stems that the model has seen in some class."""
        return [s for s in features(text) if any(s in known for known in self.log_likelihood.values())]

    def posterior(self, text: str) -> dict[str, float]:
        """P(class | text) for every class; the prior alone for a text without known stems."""
        stems = self.known(text)
        scores = {
            c: self.log_prior[c] + sum(self.log_likelihood[c].get(s, self.log_unseen[c]) for s in stems)
            for c in self.log_prior
        }
        top = max(scores.values())
        total = sum(math.exp(v - top) for v in scores.values())
        return {c: math.exp(v - top) / total for c, v in scores.items()}

    def evidence(self, text: str, label: str, top: int = 3) -> tuple[str, ...]:
        """The text's stems that speak most for the class against the others (for explanations)."""

        def weight(stem: str) -> float:
            others = [self.log_likelihood[c].get(stem, self.log_unseen[c]) for c in self.log_prior if c != label]
            return self.log_likelihood[label].get(stem, self.log_unseen[label]) - max(others)

        ranked = sorted(set(self.known(text)), key=weight, reverse=True)
        return tuple(stem for stem in ranked if weight(stem) > 0)[:top]


def features(text: str) -> list[str]:
    """The stems a text is judged by: its words' stems without the stop words."""
    return [w.stem for w in _words(text) if w.folded not in STOPWORDS and w.stem not in STOPWORDS and len(w.stem) > 1]


def train(examples: Mapping[str, Iterable[str]]) -> ExampleModel:
    """Learn word-stem frequencies per class from labelled example descriptions."""
    counts = {label: Counter(s for text in texts for s in features(text)) for label, texts in examples.items()}
    sizes = {label: sum(1 for _ in texts) for label, texts in examples.items()}
    vocabulary = len(set().union(*counts.values())) or 1
    log_prior, log_likelihood, log_unseen = {}, {}, {}
    for label, counter in counts.items():
        total = sum(counter.values()) + vocabulary
        log_prior[label] = math.log(sizes[label] / sum(sizes.values()))
        log_likelihood[label] = {s: math.log((n + 1) / total) for s, n in counter.items()}
        log_unseen[label] = math.log(1 / total)
    return ExampleModel(log_prior, log_likelihood, log_unseen)


@lru_cache(maxsize=1)
def _example_file() -> dict:
    # libyaml's loader where it is built in: the pure-Python one takes ~0.2 s on this file.
    return yaml.load(EXAMPLES_PATH.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def examples_for(offer_code: str) -> dict[str, tuple[str, ...]]:
    """The examples an offer's model learns from, by class: its themes and NOT_A_THEME.

    Examples of another offer's theme count as 'not a theme' here (regional staff describing
    bullying), except those that overlap one of this offer's themes (SPARK's changes and the
    regional organisational changes), which are left out.
    """
    data = _example_file()
    codes = [t.code for t in catalogue_module.load().themes_for(offer_code)]
    overlapping = {other for code in codes for other in data.get("overlaps", {}).get(code, ())}
    classes: dict[str, list[str]] = {code: [] for code in (*codes, NOT_A_THEME)}
    for code, texts in data["themes"].items():
        if code in classes:
            classes[code] += texts
        elif code not in overlapping:
            classes[NOT_A_THEME] += texts
    return {label: tuple(texts) for label, texts in classes.items()}


def keyword_documents(offer_code: str) -> dict[str, tuple[str, ...]]:
    """The catalogue's keywords as one-line documents per class, so the model knows their words too.

    Exclusions and off-theme topics are documents of NOT_A_THEME.
    """
    catalogue = catalogue_module.load()
    documents = {t.code: t.keywords for t in catalogue.themes_for(offer_code)}
    documents[NOT_A_THEME] = catalogue.out_of_theme_keywords + tuple(
        keyword for keywords in catalogue.exclusions.values() for keyword in keywords
    )
    # An exact-word keyword ('=sparket') is exact because its stem means something else ('SPARK').
    return {label: tuple(k for k in keywords if not k.startswith("=")) for label, keywords in documents.items()}


def combine(*sources: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Documents by class, from several sources."""
    combined: dict[str, list[str]] = {}
    for source in sources:
        for label, texts in source.items():
            combined.setdefault(label, []).extend(texts)
    return {label: tuple(texts) for label, texts in combined.items()}


@lru_cache(maxsize=8)
def model_for(offer_code: str) -> ExampleModel:
    """The offer's examples model (examples and keywords), trained on first use (milliseconds)."""
    return train(combine(examples_for(offer_code), keyword_documents(offer_code)))


def assess(
    text: str, offer_code: str = "spark", model: Optional[ExampleModel] = None, guess: bool = True
) -> Assessment:
    """The offer's themes that the text is about (best first), exclusions and off-theme topics.

    Keywords decide first: themes with more keyword hits rank higher, the examples model
    breaks ties. With no keyword, no exclusion and nothing off-theme, the examples model
    alone may suggest one theme, and only when it is sure (MODEL_MIN_CONFIDENCE), unless `guess` is off:
    then only the themes the text names count (bot.domain.scope asks so, where the model's guess from
    a citizen's or a pupil's words, "afgangsprøverne", "Slagelse", would make a theme of nothing).
    """
    catalogue = catalogue_module.load()
    offer_themes = catalogue.themes_for(offer_code)
    groups: dict[str, Iterable[str]] = {f"theme:{t.code}": t.keywords for t in offer_themes}
    groups |= {f"exclusion:{name}": keywords for name, keywords in catalogue.exclusions.items()}
    groups["out_of_theme"] = catalogue.out_of_theme_keywords
    words = _words(NAMED_AFTER_A_TOPIC.sub(" ", fold(text)))
    spans = find_keyword_spans(words, groups)
    negations = frozenset(respell(fold(w)) for w in catalogue.negation_words)
    lack = frozenset(catalogue.lack_keywords)

    def affirmed(group: str) -> set[str]:
        """The group's keywords found at least once not denied ('ingen tillid' still names tillid)."""
        return {keyword for keyword, span in spans[group] if keyword in lack or not negated(words, span, negations)}

    exclusions = tuple(name for name in catalogue.exclusions if affirmed(f"exclusion:{name}"))
    # A theme must outweigh the physical or pay topics in the text: 'for få parkeringspladser'
    # is about parking, not staffing, and a wrong suggestion is worse than none.
    outside = len(affirmed("out_of_theme"))
    hits = {t.code: len(affirmed(f"theme:{t.code}")) for t in offer_themes}
    denied = tuple(t.code for t in offer_themes if spans[f"theme:{t.code}"] and not hits[t.code])
    model = model or model_for(offer_code)
    posterior = model.posterior(text)
    ranked = sorted(
        (-hits[t.code], -posterior.get(t.code, 0.0), order, t.code)
        for order, t in enumerate(offer_themes)
        if hits[t.code] and hits[t.code] > outside
    )
    themes = tuple(code for *_, code in ranked)
    if guess and not themes and not exclusions and not outside:
        best = max(posterior, key=posterior.__getitem__)
        if (
            best != NOT_A_THEME
            and best not in denied
            and posterior[best] >= MODEL_MIN_CONFIDENCE
            and len(model.known(text)) >= MODEL_MIN_WORDS
        ):
            themes = (best,)
    return Assessment(themes=themes, exclusions=exclusions, out_of_theme=bool(outside), denied=denied)


def any_theme_word(text: str, offer_code: str = "spark") -> bool:
    """Does the text name any of the offer's themes at all, denied or outweighed or not?"""
    groups = {t.code: t.keywords for t in catalogue_module.load().themes_for(offer_code)}
    return any(find_keywords(text, groups).values())


_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
# An opening that introduces the writer or the workplace, not the problem.
_INTRODUCTION = re.compile(
    r"^\W*(?:hej|hejsa|hallo|goddag|godmorgen|kære \w+)?\W*"
    r"(?:(?:jeg|vi)\s+(?:er|hedder|arbejder|sidder|kommer|skriver|repræsenterer)\b|"
    r"(?:mit navn er|\w+ her\b))",
    re.I,
)
_GREETING = re.compile(
    r"^\W*(?:hej|hejsa|hallo|goddag|godmorgen|god dag|tak|mvh|med venlig hilsen|venlig hilsen|"
    r"kh|hilsen)\b[\w\s,.!]*$",
    re.I,
)
# Where an introduction hands over to the problem: "Jeg er TR på et plejecenter i Vejle, og vi har ...".
_HANDOVER = re.compile(
    r",?\s+(?:og|men|hvor|fordi)\s+(?=(?:vi|der|de|jeg|vores|mange|flere|alle|nogle|det|man|"
    r"min|mit|mine|han|hun|lederen|ledelsen|kollegerne|borgerne|beboerne|patienterne)\b)"
    r"|,\s+(?=(?:vi|der|vores|min|mit|mine)\b)",
    re.I,
)


def problem_part(text: str) -> str:
    """The part of a first message that describes the problem, in the user's own words.

    The greeting, the introduction ('Hej, jeg er TR på et plejecenter i Vejle'), questions about the
    offer and the sign-off are left out; what says something about the problem stays as typed.
    'Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne' -> 'vi har meget vold fra borgerne'.
    """

    def about_problem(piece: str) -> bool:
        found = assess(piece)
        return bool(found.themes or found.exclusions or found.out_of_theme or found.denied)

    sentences = [s.strip() for s in _SENTENCES.split(text.strip()) if s.strip()]
    kept: list[str] = []
    for sentence in sentences:
        if not kept and not about_problem(sentence) and (_INTRODUCTION.match(sentence) or _GREETING.match(sentence)):
            continue  # the opening, before the problem
        if kept and _GREETING.match(sentence):
            continue  # 'Mvh Birgitte', 'Tak'
        if sentence.endswith("?") and not about_problem(sentence):
            continue  # 'Kan I hjælpe os?'
        if not kept and _INTRODUCTION.match(sentence):
            parts = _HANDOVER.split(sentence, maxsplit=1)
            if len(parts) == 2 and not about_problem(parts[0]) and about_problem(parts[1]):
                sentence = parts[1].strip()
        kept.append(sentence)
    return " ".join(kept) or text.strip()


def explain(text: str, offer_code: str = "spark") -> dict[str, tuple[str, ...]]:
    """Why assess decided as it did: the keywords found per theme, exclusion and off-theme topic,
    and, for a theme that only the examples model found, the words that weighed most."""
    catalogue = catalogue_module.load()
    groups: dict[str, Iterable[str]] = {t.code: t.keywords for t in catalogue.themes_for(offer_code)}
    groups |= dict(catalogue.exclusions)
    groups["out_of_theme"] = catalogue.out_of_theme_keywords
    reasons = {name: keywords for name, keywords in find_keywords(text, groups).items() if keywords}
    best = assess(text, offer_code).best
    if best and best not in reasons:
        reasons[best] = model_for(offer_code).evidence(text, best)
    return reasons


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
