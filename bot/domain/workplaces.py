"""Which sector a workplace belongs to (and for a regional one, which region), from what people write.

Evidence, strongest first (issue 24): the sector said outright ("vi er en statslig arbejdsplads");
a workplace named (institutions.yml: "Rigshospitalet", "Skattestyrelsen"; "Aarhus Kommune"); a kind
of workplace ("plejecenter", "styrelsen", "hospitalet i Randers", "på Gentofte"); a job title
("portør", "pædagog"). The words are in data/workplaces.yml. Only the strongest kind of evidence
present decides. What the writer says about their own workplace (a clause with 'jeg', 'vi',
'vores' ...) outweighs other workplaces in the message ("mange af forældrene arbejder på Hvidovre
Hospital"); a workplace named after 'ved siden af', 'tæt på' ... is someone else's, and one after
'ikke' is denied. A kind that belongs to more than one sector ("bosted") is asked, likely sector first.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

from bot.domain import geography
from bot.domain.geography import key
from bot.domain.text import one_slip

DATA = Path(__file__).resolve().parents[1] / "data" / "workplaces.yml"
SECTORS = ("kommunal", "regional", "statslig")
# How strong each kind of evidence is.
STATEMENT, NAME, KIND, JOB = 4, 3, 2, 1
TIERS = {"statements": STATEMENT, "kinds": KIND, "jobs": JOB}
# Inflectional endings a plain pattern word may carry ('plejecenter' -> 'plejecentret', 'skolerne').
ENDINGS = frozenset({"e", "en", "et", "er", "ere", "erne", "es", "ens", "ets", "ers", "s", "n", "ne", "t", "r", "rne"})
# Words that deny what follows ("vi er ikke kommunale"), and the small words that may stand between.
NEGATIONS = frozenset({"ikke", "ikk", "ingen", "hverken", "aldrig"})
BETWEEN_NEGATION = frozenset(
    {
        "en",
        "et",
        "i",
        "pa",
        "ved",
        "hos",
        "under",
        "langere",
        "mere",
        "nogen",
        "noget",
        "af",
        "for",
        "til",
        "sa",
        "heller",
    }
)
# Words that make a clause the writer's own ("jeg er", "vi har", "vores afdeling").
SELF = frozenset({"jeg", "vi", "vores", "min", "mit", "mine", "os", "mig"})
# Words that make a clause someone else's ("mange af forældrene arbejder på Hvidovre Hospital").
OTHERS = frozenset(
    {
        "han",
        "hun",
        "de",
        "forældre",
        "foraldre",
        "foraldrene",
        "parorende",
        "mand",
        "kone",
        "kareste",
        "son",
        "datter",
        "ven",
        "veninde",
        "soster",
        "bror",
        "mor",
        "far",
        "nabo",
        "naboen",
    }
)
# "er det kun for kommuner og regioner?": the sectors in the plural are others, never the writer's workplace
PLURAL_SECTORS = frozenset({"kommuner", "kommunerne", "kommunernes", "regioner", "regionerne", "regionernes"})
# "først i kommunen og nu i Skattestyrelsen": words before a workplace the writer had (as typed, lower case)
FORMERLY = frozenset({"først", "foerst", "tidligere", "før", "foer", "forhen", "dengang"})
# "han ligger på Aalborg Universitetshospital", "min søn er indlagt på psykiatrisk afdeling": a hospital where
# someone is a patient (as typed, lower case), not where the writer works, when another workplace is named too
PATIENT_PLACE = frozenset({"indlagt", "indlagte", "opereret", "kørt", "koert", "bragt", "fløjet", "floejet"})
# ... and "han ligger på", "hun ligger stadig på" (but "afdelingen ligger på Herlev Hospital": where it is)
LIES_THERE = frozenset({"han ligger", "hun ligger", "de ligger", "kollegaen ligger", "kollegan ligger"})
# A workplace named after these is where something comes from or goes to, not where the writer works.
AWAY = frozenset({"fra", "til"})
# After these a new clause begins, and after 'og' too when a new subject follows.
CLAUSE_WORDS = frozenset({"men", "fordi", "selvom", "mens"})
# "et privat plejehjem", "en privatejet børnehave": the kind that follows is not a public workplace.
COMPARISON = frozenset({"som", "ligesom", "end"})
PRIVATE = frozenset({"privat", "private", "privatejet", "privatejede", "privatdrevet", "privatdrevne"})
# "et bosted, som drives af regionen": a relative clause about who runs or owns the workplace.
RELATIVE_PRONOUNS = frozenset({"som", "der"})
RUNS = frozenset({"drives", "drevet", "horer", "ejes", "ejet", "finansieres"})
SUBJECTS = frozenset(
    {
        "jeg",
        "vi",
        "han",
        "hun",
        "de",
        "man",
        "mange",
        "flere",
        "nogle",
        "alle",
        "min",
        "mit",
        "mine",
        "vores",
        "hans",
        "hendes",
        "deres",
        "det",
        "der",
        "den",
    }
)
_BOUNDARY = re.compile(r"[.,;:!?\n()\"»«]|\s[-–—]\s")
# "ansat i Region Nordjylland", "vi hører under Region Sjælland", "et bosted under Region Midtjylland":
# the sector said outright ('under' alone counts too).
REGION_STATEMENT = (
    ("ansat", "i"),
    ("ansat", "ved"),
    ("ansat", "hos"),
    ("ansat", "under"),
    ("horer", "under"),
    ("hore", "under"),
    ("arbejder", "for"),
    ("regionsansat", "i"),
    ("ansat", "af"),
    # "et bosted drevet af Region Midtjylland", "et botilbud, der drives af Region Sjælland"
    ("drevet", "af"),
    ("drives", "af"),
    ("ejet", "af"),
    ("ejes", "af"),
)
# The offers by their names after a sector's genitive ("regionens ekspertrådgivning", "statens rejsehold")
OFFER_NOUNS = frozenset({"ekspertradgivning", "tilbud", "ordning", "radgivning", "rejsehold", "udbydere"})
# "et bosted, som Region Sjælland driver": the region named as the one who runs what was named before it
REGION_RUNS = frozenset({"driver", "ejer"})


# "Region Syddanmarks sociale tilbud", "et af Region Midtjyllands botilbud": the region owns what
# follows, unless it is the region's area ("kommunerne i Region Hovedstadens område").
REGION_AREA_WORDS = frozenset({"omrade", "omrader", "kommuner", "kommunerne", "borgere", "borgerne", "befolkning"})


def _owned_by_region(said: str, keys: list[str], end: int) -> bool:
    """Is a region named in the genitive, owning the workplace that follows? Only "Region X":
    "Nordjyllands Politi" is the state's."""
    if (
        not key(said).startswith("region ")
        or not said.lower().endswith("s")
        or said.lower().endswith("ss")
        or end >= len(keys)
    ):
        return False
    return not any(k in REGION_AREA_WORDS for k in keys[end : end + 3])


# "chef i Region Nordjylland", "konsulent i Region Sjælland", "Region Nordjylland IT": a post in the region's
# own organisation, or a unit of it. A job title alone ("lærer i Region Nordjylland") tells only where.
REGION_POSTS = ("chef", "leder", "direktor", "konsulent", "specialist", "radgiver", "medarbejder", "sekretaer")
REGION_UNITS = frozenset({"it", "hr", "administration", "koncernstab", "koncern", "regionshuset", "okonomi"})


def _employed_in_region(keys: list[str], start: int, end: int) -> bool:
    # "chef i Region Nordjylland", "Administrationen i Region Nordjylland": a post or a unit before the region
    before = keys[start - 2] if start >= 2 else ""
    unit = before in REGION_UNITS or (before.endswith("en") and before[:-2] in REGION_UNITS)
    post = start >= 2 and keys[start - 1] in ("i", "ved", "hos") and (before.endswith(REGION_POSTS) or unit)
    return bool(post or (end < len(keys) and keys[end] in REGION_UNITS))


@dataclass(frozen=True)
class Pattern:
    parts: tuple[tuple[str, str], ...]  # (mode, stem): exact | word | prefix | suffix | contains
    specificity: int


@dataclass(frozen=True)
class Ambiguity:
    """A kind of workplace found in more than one sector: ask, offering `sectors` in this order."""

    key: str
    sectors: tuple[str, ...]
    say: str


@dataclass(frozen=True)
class Evidence:
    sector: Optional[str]  # None: an ambiguous kind (see `ambiguity`)
    strength: int
    start: int  # token positions (geography.tokens)
    end: int
    words: str
    region: Optional[str] = None
    ambiguity: Optional[Ambiguity] = None


@dataclass(frozen=True)
class Reading:
    """What a message says about the writer's workplace."""

    sector: Optional[str] = None
    region: Optional[str] = None  # a regional workplace's region, from its name, the region or the town
    ask: Optional[Ambiguity] = None  # the sector is unclear between these: ask, likely first
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    strength: int = 0  # of the evidence that decided (STATEMENT, NAME, KIND, JOB), 0 for none

    @property
    def hint(self) -> Optional[str]:
        """The ambiguity as a slot value: '<key>:<sector>,<sector>' (sector_hint)."""
        return f"{self.ask.key}:{','.join(self.ask.sectors)}" if self.ask else None


def compile_pattern(text: str) -> Pattern:
    parts = []
    for word in str(text).split():
        if word.startswith("="):
            mode, stem = "exact", word[1:]
        elif word.startswith("*") and word.endswith("*") and len(word) > 1:
            mode, stem = "contains", word[1:-1]
        elif word.endswith("*"):
            mode, stem = "prefix", word[:-1]
        elif word.startswith("*"):
            mode, stem = "suffix", word[1:]
        else:
            mode, stem = "word", word
        for piece in key(stem).split():  # 'social- og' -> 'social', 'og'
            parts.append((mode, piece))
    specificity = sum(len(stem) for _, stem in parts) + 2 * (len(parts) - 1)
    return Pattern(tuple(parts), specificity)


def _inflected(token: str, stem: str) -> bool:
    return token == stem or (token.startswith(stem) and token[len(stem) :] in ENDINGS)


# A pattern word this long also matches a word one typing slip away ('vugestue', 'psykatrien'); the
# first two letters must agree (slips rarely hit them, and there real words differ).
TYPO_MIN = 6


def _slipped(part: tuple[str, str], token: str) -> bool:
    mode, stem = part
    if mode == "exact" or len(stem) < TYPO_MIN or len(token) < TYPO_MIN - 1:
        return False
    n = len(stem)
    if mode == "word":
        pieces = [token] + [token[: -len(e)] for e in ENDINGS if token.endswith(e) and len(token) - len(e) >= n - 1]
    elif mode == "prefix":
        pieces = [token[:m] for m in (n - 1, n, n + 1)]
    elif mode == "suffix":
        pieces = [token[-m:] for m in (n - 1, n, n + 1) if m <= len(token)]
        pieces += [p[: -len(e)] for e in ENDINGS for p in (token,) if p.endswith(e)]
    else:
        # inside a compound the first three letters must agree: 'vikarerne' is one slip from 'kaserne' at its
        # third letter; 'skattestyrelsn' keeps 'sty'
        pieces = [
            token[i : i + m]
            for m in (n - 1, n, n + 1)
            for i in range(0, len(token) - m + 1)
            if i == 0 or token[i : i + 3] == stem[:3]
        ]
    return any(piece[:2] == stem[:2] and one_slip(piece, stem) for piece in pieces if piece)


def may_slip(rule: "_Rule") -> bool:
    """Does a one-word rule also match a word one typing slip away? A sector said outright needs a longer
    word: 'staben' (the staff office) is one slip from 'staten'."""
    mode, stem = rule.pattern.parts[0]
    needed = TYPO_MIN + 1 if rule.what == "statements" else TYPO_MIN
    return len(rule.pattern.parts) == 1 and mode != "exact" and len(stem) >= needed


def _part_matches(part: tuple[str, str], token: str) -> bool:
    mode, stem = part
    if mode == "exact":
        return token == stem
    if mode == "word":
        return _inflected(token, stem)
    if mode == "prefix":
        return token.startswith(stem)
    if mode == "contains":
        return stem in token
    return token.endswith(stem) or any(token.endswith(stem + ending) for ending in ENDINGS)


@dataclass(frozen=True)
class _Rule:
    pattern: Pattern
    what: str  # statements | kinds | jobs | ambiguous | never
    sector: Optional[str]
    ambiguity: Optional[Ambiguity] = None
    tier: int = 0


class Workplaces:
    """The words of data/workplaces.yml, compiled; build once and share (see `load`)."""

    def __init__(self, data: dict, geo: geography.Geography) -> None:
        self.geo = geo
        rules: list[_Rule] = []
        for what in ("statements", "kinds", "jobs"):
            for sector, patterns in data[what].items():
                if sector not in SECTORS:
                    raise ValueError(f"workplaces.yml: unknown sector {sector!r} under {what}")
                rules += [_Rule(compile_pattern(p), what, sector, tier=TIERS[what]) for p in patterns]
        self.ambiguities: dict[str, Ambiguity] = {}
        for entry in data.get("ambiguous", []):
            ambiguity = Ambiguity(entry["key"], tuple(entry["sectors"]), entry["say"])
            if not set(ambiguity.sectors) <= set(SECTORS):
                raise ValueError(f"workplaces.yml: unknown sector in {entry!r}")
            self.ambiguities[ambiguity.key] = ambiguity
            tier = JOB if entry.get("tier") == "job" else KIND
            rules += [_Rule(compile_pattern(p), "ambiguous", None, ambiguity, tier) for p in entry["words"]]
        rules += [_Rule(compile_pattern(p), "never", None) for p in data.get("never", [])]
        self.rules = sorted(rules, key=lambda rule: -rule.pattern.specificity)
        self.near = [tuple(key(phrase).split()) for phrase in data.get("near", [])]
        # The rules by the stem of their first word, per mode, and the one-word rules that allow a typing
        # slip by their stem's first two letters (each list in the rules' order): a message's words are
        # looked up instead of every rule being tried on every word. On this machine that cut a read of a
        # 10-word message from about 8 ms to about 1 ms; the answers are the same (tests/domain/test_workplaces.py
        # holds them against the plain loop over every rule).
        self._by_first: dict[str, dict[str, list[int]]] = {
            m: {} for m in ("exact", "word", "prefix", "suffix", "contains")
        }
        self._slip_by_start: dict[str, list[int]] = {}
        for index, rule in enumerate(self.rules):
            mode, stem = rule.pattern.parts[0]
            self._by_first[mode].setdefault(stem, []).append(index)
            if may_slip(rule):
                self._slip_by_start.setdefault(stem[:2], []).append(index)
        self._first_cache: dict[str, tuple[int, ...]] = {}
        self._slip_cache: dict[str, Optional[int]] = {}

    # -- the words of a message ------------------------------------------------------------
    def _matches(self, keys: list[str], blocked: list[bool]) -> list[tuple[int, int, _Rule]]:
        """Every rule matched, the most specific claiming its words first (the rules in their order, each
        from the first word on)."""
        claimed = list(blocked)
        found = []
        candidates = sorted((index, i) for i, token in enumerate(keys) for index in self._first_matches(token))
        for index, i in candidates:
            rule = self.rules[index]
            parts = rule.pattern.parts
            n = len(parts)
            if i + n > len(keys) or any(claimed[i : i + n]):
                continue
            if all(_part_matches(parts[j], keys[i + j]) for j in range(1, n)):
                claimed[i : i + n] = [True] * n
                found.append((i, i + n, rule))
        # Then typing slips, for the words no pattern matched as written.
        for i, token in enumerate(keys):
            if claimed[i] or len(token) < TYPO_MIN - 1:
                continue
            index = self._first_slip(token)
            if index is not None:
                claimed[i] = True
                found.append((i, i + 1, self.rules[index]))
        return found

    def _first_matches(self, token: str) -> tuple[int, ...]:
        """The rules whose first word matches the token, in the rules' order."""
        cached = self._first_cache.get(token)
        if cached is not None:
            return cached
        by = self._by_first
        stripped = [token[: -len(e)] for e in ENDINGS if token.endswith(e) and len(token) > len(e)]
        hits: set[int] = set(by["exact"].get(token, ()))
        for stem in (token, *stripped):
            hits.update(by["word"].get(stem, ()))
        for end in range(len(token) + 1):
            hits.update(by["prefix"].get(token[:end], ()))
        for word in (token, *stripped):
            for start in range(len(word) + 1):
                hits.update(by["suffix"].get(word[start:], ()))
        for start in range(len(token) + 1):
            for end in range(start, len(token) + 1):
                hits.update(by["contains"].get(token[start:end], ()))
        # each candidate checked as the plain loop checks it
        result = tuple(sorted(i for i in hits if _part_matches(self.rules[i].pattern.parts[0], token)))
        if len(self._first_cache) > 50_000:
            self._first_cache.clear()
        self._first_cache[token] = result
        return result

    def _first_slip(self, token: str) -> Optional[int]:
        """The first one-word rule (in the rules' order) the token matches with one typing slip, or None."""
        if token in self._slip_cache:
            return self._slip_cache[token]
        starts = {token[i : i + 2] for i in range(len(token) - 1)}
        candidates = sorted(i for start in starts for i in self._slip_by_start.get(start, ()))
        result = next((i for i in candidates if _slipped(self.rules[i].pattern.parts[0], token)), None)
        if len(self._slip_cache) > 50_000:
            self._slip_cache.clear()
        self._slip_cache[token] = result
        return result

    def read(self, text: str, sectors_asked: bool = False) -> Reading:
        """What `text` says of the writer's workplace; with `sectors_asked`, of the sectors a question asks about
        ("gælder det også for regionerne?": the sectors in the plural count)."""
        geo = self.geo
        words = geography.tokens(text)
        keys = [k for k, _, _ in words]
        if not keys:
            return Reading()
        clause = _clauses(text, words)
        mentions = geo.find(text)
        evidence: list[Evidence] = []
        blocked = [False] * len(keys)

        def token_span(start_char: int, end_char: int) -> tuple[int, int]:
            inside = [i for i, (_, s, e) in enumerate(words) if s >= start_char and e <= end_char]
            return (inside[0], inside[-1] + 1) if inside else (0, 0)

        # Places: a region's name is no evidence by itself; "X Kommune" names the employer.
        towns: list[tuple[int, str]] = []
        regions_named: list[str] = []
        regions_said: list[str] = []  # a region by its own name, not a part of the country
        for mention in mentions:
            start, end = token_span(mention.start, mention.end)
            blocked[start:end] = [True] * (end - start)
            if mention.kind == "region":
                regions_named.append(mention.value)
                if key(text[mention.start : mention.end]) not in geo.region_areas and not any(
                    k in REGION_AREA_WORDS for k in keys[end : end + 2]
                ):
                    regions_said.append(mention.value)  # "Region Syd", "Nordjylland"; not "Fyn", not "X's område"
                if (
                    (start >= 2 and tuple(keys[start - 2 : start]) in REGION_STATEMENT)
                    or (start >= 1 and keys[start - 1] == "under")
                    or (
                        start >= 1
                        and keys[start - 1] in RELATIVE_PRONOUNS
                        and end < len(keys)
                        and keys[end] in REGION_RUNS
                    )
                    or _employed_in_region(keys, start, end)
                    or _owned_by_region(text[mention.start : mention.end], keys, end)
                ):
                    evidence.append(
                        Evidence(
                            "regional", STATEMENT, start, end, text[mention.start : mention.end], region=mention.value
                        )
                    )
                continue
            towns.append((start, mention.value))
            # "Aarhus Kommune", "Bornholms Regionskommune"
            if keys[end - 1].endswith("kommune") or (end < len(keys) and keys[end] in ("kommune", "regionskommune")):
                evidence.append(
                    Evidence(
                        "kommunal",
                        NAME,
                        start,
                        end + (not keys[end - 1].endswith("kommune")),
                        text[mention.start : mention.end] + " Kommune",
                    )
                )
        if not towns and (misspelt := geo.misspelt_municipality(text)):
            towns.append((0, misspelt.name))  # 'sygehuset i Hjöring': the town, for the region
        # Named workplaces.
        for start, end, institution in geo.institutions_in(text):
            blocked[start:end] = [True] * (end - start)
            strength = KIND if institution.kind else NAME
            evidence.append(Evidence(institution.sector, strength, start, end, institution.name, institution.region))
        matches = self._matches(keys, blocked)
        kind_at = {i for start, end, rule in matches if rule.what != "statements" for i in range(start, end)}
        # Hospitals by their town alone: after "på", and not followed by another workplace word or a name.
        for words_key, institution in geo.hospital_short_names.items():
            n = len(words_key)
            for i in range(1, len(keys) - n + 1):
                if tuple(keys[i : i + n]) != words_key or keys[i - 1] != "pa":
                    continue
                following = i + n
                if (
                    following < len(keys)
                    and clause[following] == clause[i]
                    and (following in kind_at or text[words[following][1]].isupper())
                ):
                    continue
                evidence.append(Evidence("regional", KIND, i, i + n, institution.name, institution.region))
        for start, end, rule in matches:
            if rule.what == "never":
                continue
            if rule.what == "statements" and end < len(keys) and keys[end] in OFFER_NOUNS:
                continue  # "regionens ekspertrådgivning", "statens rejsehold": an offer, not the writer's workplace
            evidence.append(
                Evidence(rule.sector, rule.tier, start, end, " ".join(keys[start:end]), ambiguity=rule.ambiguity)
            )
        evidence = [
            e
            for e in evidence
            if not _denied(keys, clause, e.start)
            and not self._near(keys, clause, e.start)
            and not (
                not sectors_asked
                and e.strength == STATEMENT
                and keys[e.start] in PLURAL_SECTORS
                and keys[max(0, e.start - 2) : e.start] != ["en", "af"]  # "i en af kommunerne på Fyn"
            )
        ]
        # "først i kommunen og nu i Skattestyrelsen": a workplace the writer had, where they name another
        former = [e for e in evidence if _after_one_of(FORMERLY, text, words, clause, e.start, reach=3)]
        if former and len(former) < len(evidence):
            evidence = [e for e in evidence if e not in former]
        # "kollega fra politiet blev kørt ned. Han ligger på Aalborg Universitetshospital": a patient's hospital
        # says nothing of the writer's sector
        patients = [
            e
            for e in evidence
            if e.sector == "regional"
            and (
                _after_one_of(PATIENT_PLACE, text, words, clause, e.start, reach=3)
                or any(" ".join(keys[i : i + 2]) in LIES_THERE for i in range(max(0, e.start - 4), e.start - 1))
            )
        ]
        evidence = [e for e in evidence if e not in patients]
        return decide(
            evidence, clause, keys, towns, regions_named, has_municipality=bool(towns), regions_said=regions_said
        )

    def _near(self, keys: list[str], clause: list[int], start: int) -> bool:
        """Is the workplace at `start` named right after 'ved siden af', 'tæt på' ...?"""
        for phrase in self.near:
            n = len(phrase)
            for gap in range(0, 3):  # 'ved siden af [en/det store] hospital'
                begin = start - gap - n
                if begin >= 0 and tuple(keys[begin : begin + n]) == phrase and clause[begin] == clause[start]:
                    return True
        return False


def _clauses(text: str, words: list[tuple[str, int, int]]) -> list[int]:
    """The clause number of every word: punctuation, 'men', 'fordi' ... and 'og' + a new subject split."""
    numbers: list[int] = []
    current = 0
    for i, (k, start, _) in enumerate(words):
        if i > 0:
            between = text[words[i - 1][2] : start]
            following = words[i + 1][0] if i + 1 < len(words) else ""
            # ", som drives af regionen" says who runs the workplace just named: the same clause
            relative = k in RELATIVE_PRONOUNS and following in RUNS and between.strip() == ","
            if (
                (_BOUNDARY.search(between) and not relative)
                or k in CLAUSE_WORDS
                or (k == "og" and following in SUBJECTS)
            ):
                current += 1
        numbers.append(current)
    return numbers


def _after_one_of(
    said: frozenset[str], text: str, words: list[tuple[str, int, int]], clause: list[int], start: int, reach: int
) -> bool:
    """Does one of the words `said` (as typed, lower case) stand at most `reach` words before `start`, in its clause?
    ('først i kommunen', 'tidligere på Skejby', 'før var jeg i Faaborg-Midtfyn')"""
    return any(
        text[words[i][1] : words[i][2]].lower() in said
        for i in range(max(0, start - reach), start)
        if clause[i] == clause[start]
    )


def _denied(keys: list[str], clause: list[int], start: int) -> bool:
    """'ikke kommunal', 'ikke længere en skole': a negation before the evidence, only small words between.
    'et privat plejehjem': a private one of a public kind says nothing of a public sector either."""
    if (
        start >= 1
        and keys[start - 1] in PRIVATE
        or (start >= 2 and keys[start - 2] in PRIVATE and keys[start - 1] == "lille")
    ):
        return True
    if start >= 1 and keys[start - 1] in COMPARISON and keys[start].endswith("erne"):
        return True  # "samme hjælp som kommunerne får": the others compared with, not the writer's
    i = start - 1
    while i >= 0 and start - i <= 4 and clause[i] == clause[start]:
        if keys[i] in NEGATIONS:
            return True
        if keys[i] not in BETWEEN_NEGATION:
            return False
        i -= 1
    return False


def decide(
    evidence: list[Evidence],
    clause: list[int],
    keys: list[str],
    towns: list[tuple[int, str]],
    regions_named: list[str],
    has_municipality: bool,
    regions_said: Optional[list[str]] = None,
) -> Reading:
    """The sector the strongest evidence points to (the writer's own clauses first), else what to ask."""
    # "min mand er på Herlev Hospital": a possessive before someone else makes the clause theirs
    own = {c for i, c in enumerate(clause) if keys[i] in SELF and not (i + 1 < len(keys) and keys[i + 1] in OTHERS)}
    if not any(keys[i] in OTHERS for i, c in enumerate(clause) if c == 0):
        own.add(0)  # an opening without a subject names the writer's workplace: "Sygehuset i Hjørring, vi har ..."
    mine = [e for e in evidence if clause[e.start] in own]
    if mine and not any(e.sector for e in mine):
        # "Jeg er leder – eller rettere oversygeplejerske – på Regionshospitalet Gødstrup": their own clauses
        # give only a job found in more than one sector; the workplace stands in a clause of nobody else's.
        others = {c for i, c in enumerate(clause) if keys[i] in OTHERS}
        mine += [
            e
            for e in evidence
            if e.sector
            and e.strength >= KIND
            and clause[e.start] not in own | others
            and not (e.start and keys[e.start - 1] in AWAY)
        ]
    considered = mine or evidence
    if not considered:
        if regions_said and not has_municipality:  # "jeg arbejder i Region Sjælland"
            return Reading("regional", regions_said[0], strength=KIND)
        return Reading()
    top = max(e.strength for e in considered)
    at_top = [e for e in considered if e.strength == top]
    counts = Counter(e.sector for e in at_top if e.sector)
    sector: Optional[str] = None
    ask: Optional[Ambiguity] = None
    if counts:
        ranked = counts.most_common()
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            sector = ranked[0][0]
        else:
            tied = tuple(s for s, n in ranked if n == ranked[0][1])
            ask = Ambiguity("mixed", tied, "")
    else:
        ambiguous = next(e.ambiguity for e in at_top if e.ambiguity)
        weaker = [e.sector for e in considered if e.sector in ambiguous.sectors and e.strength < top]
        first = None
        if weaker:  # 'pædagog på et bosted': the municipal job makes 'kommunal' the likely answer
            first = Counter(weaker).most_common(1)[0][0]
        elif regions_said and not has_municipality and "regional" in ambiguous.sectors:
            first = "regional"  # 'et bosted i Region Midtjylland': likely the region's, still asked
        if first:
            ambiguous = Ambiguity(ambiguous.key, (first, *[s for s in ambiguous.sectors if s != first]), ambiguous.say)
        ask = ambiguous
    region = None
    if sector == "regional":
        region = (
            next((e.region for e in considered if e.region), None)
            or next((e.region for e in evidence if e.region), None)
            or (regions_named[0] if regions_named else None)
            or _town_region(towns, clause, own)
        )
    return Reading(sector, region, ask, tuple(evidence), top)


def _town_region(towns: list[tuple[int, str]], clause: list[int], own: set[int]) -> Optional[str]:
    ranked = sorted(towns, key=lambda town: (clause[town[0]] not in own, town[0]))
    return geography.load().region_of(ranked[0][1]) if ranked else None


# "Før var jeg i Faaborg-Midtfyn", "jeg bor i Roskilde", "elever fra Kolding": a town that is not where the
# writer works now (the words before it in its clause, as typed in lower case).
# "Vejle, nej undskyld, Kolding": the place named first is taken back (keys)
CORRECTING = frozenset({"nej", "undskyld", "rettere", "mener", "sorry"})
# Colleagues as the subject of a clause: "min kollega på en skole i Vejle sagde, at ..." (keys)
COLLEAGUES = frozenset({"kollega", "kollegaen", "kollegaer", "kolleger", "veninden", "vennen", "bekendt"})
ELSEWHERE = frozenset(
    {"før", "foer", "tidligere", "fra", "bor", "boede", "boet", "flyttede", "flyttet", "gamle", "forrige"}
)


def workplace_municipality(text: str) -> Optional[str]:
    """Of the municipalities a message names, the one where the writer works: one named as the employer
    ("Svendborg Kommune") first, then one in the writer's own clause, not after 'før', 'fra', 'bor i', 'ikke'
    ...; where nothing tells them apart, the last named, as Rasa fills a slot from several entities ("Vejle,
    nej undskyld, Kolding"). None when the message names none."""
    geo = geography.load()
    named = [m for m in geo.find(text) if m.kind == "municipality"]
    if len({m.value for m in named}) <= 1:
        return named[0].value if named else None
    words = geography.tokens(text)
    keys = [k for k, _, _ in words]
    clause = _clauses(text, words)
    # "min kollega på en skole i Vejle sagde ...", "en veninde i Odense siger ...": someone else's place
    others = OTHERS | COLLEAGUES
    own = {c for i, c in enumerate(clause) if keys[i] in SELF and not (i + 1 < len(keys) and keys[i + 1] in others)}
    if not any(keys[i] in others for i, c in enumerate(clause) if c == 0) and not CORRECTING.intersection(keys):
        own.add(0)  # an opening without a subject names the writer's workplace: "Solgården, Nakskov. ..."

    def score(mention: geography.Mention) -> tuple[int, int]:
        at = next((i for i, (_, start, _) in enumerate(words) if start >= mention.start), len(words) - 1)
        after = next((i for i, (_, start, _) in enumerate(words) if start >= mention.end), len(words))
        employer = keys[after - 1].endswith("kommune") or (after < len(keys) and keys[after] == "kommune")
        elsewhere = _after_one_of(ELSEWHERE, text, words, clause, at, reach=4) or any(
            keys[i] in others for i in range(max(0, at - 4), at) if clause[i] == clause[at]
        )
        denied = at >= 1 and keys[at - 1] in NEGATIONS  # "ikke Vejle, men Kolding"
        return (2 * employer - 2 * (elsewhere or denied) + (clause[at] in own), mention.start)

    return max(named, key=score).value


@lru_cache(maxsize=1)
def _private_names() -> re.Pattern:
    names = yaml.safe_load(DATA.read_text(encoding="utf-8")).get("private_names") or []
    # and in the genitive: "på Falcks ambulancestation"
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(_joined_keys(name)) for name in names) + r")s?(?!\w)")


@lru_cache(maxsize=1)
def _state_owned() -> list[tuple[re.Pattern, str]]:
    names = yaml.safe_load(DATA.read_text(encoding="utf-8")).get("state_owned_companies") or []
    return [(re.compile(r"(?<!\w)" + re.escape(_joined_keys(name)) + r"s?(?!\w)"), str(name)) for name in names]


def _joined_keys(text: str) -> str:
    """A text or a name as the words `geography.tokens` reads, joined by spaces ('Sund & Bælt' -> 'sund balt')."""
    return " ".join(k for k, _, _ in geography.tokens(str(text)))


def state_owned_company(text: str) -> Optional[str]:
    """The company the state owns that a text names (data/workplaces.yml: state_owned_companies), as written
    there, or None."""
    joined = _joined_keys(text)
    return next((name for pattern, name in _state_owned() if pattern.search(joined)), None)


def names_private_employer(text: str) -> bool:
    """Does the text name a private employer by its own name (data/workplaces.yml: private_names)?"""
    return bool(_private_names().search(_joined_keys(text)))


# "ansat hos ISS", "ambulancebehandler hos Falck", "chauffør hos Arriva": the writer's employer
_EMPLOYED_BY = re.compile(
    r"\b(?:ansat|ansatte|arbejder|job|vikar|(?:bus)?chauffo?e?r|\w*behandler|\w*redder|rengoe?ringsassistent|"
    r"vagt|servicemedarbejder|\w*leder|togfo?e?rer|"
    # staff of a private hospital or clinic ("sygeplejerske på Aleris-Hamlet")
    r"\w*sygeplejerske|\w*laege|\w*terapeut|\w*assistent|\w*hjaelper|\w*medarbejder|sekretaer|portoer)\b"
    r"(?: \w+){0,3}? (?:hos|for|i|ved|pa|paa)$"
)


def employed_by_private_name(text: str) -> bool:
    """Does the writer say they are employed by a private employer named by its own name, whatever public
    workplace they work at ('jeg er ansat hos ISS og gør rent på Regionshospitalet Gødstrup')?"""
    joined = _joined_keys(text)
    return any(_EMPLOYED_BY.search(joined[: found.start()].rstrip()) for found in _private_names().finditer(joined))


@lru_cache(maxsize=1)
def load() -> Workplaces:
    """The workplace words, read once per process."""
    return Workplaces(yaml.safe_load(DATA.read_text(encoding="utf-8")), geography.load())


def read(text: str, sectors_asked: bool = False) -> Reading:
    return load().read(text, sectors_asked)


def infer_sector(text: str) -> Optional[str]:
    """The sector a text clearly points to, else None."""
    return read(text).sector


def ambiguity(hint: Optional[str]) -> Optional[Ambiguity]:
    """The ambiguity a `Reading.hint` names, with its sectors in the order the hint gives."""
    if not hint or ":" not in hint:
        return None
    name, _, order = hint.partition(":")
    sectors = tuple(s for s in order.split(",") if s in SECTORS)
    known = load().ambiguities.get(name)
    return Ambiguity(name, sectors or (known.sectors if known else SECTORS), known.say if known else "")
