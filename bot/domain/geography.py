"""Municipalities, regions and named workplaces in free Danish text.

Knows the 98 municipalities (data/kommuner.csv), the names people use for them and for the
regions (data/places.yml), and workplaces known by name (data/institutions.yml). Matching
ignores case and æ/ø/å spelling. Which sector a workplace belongs to: bot/domain/workplaces.py.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import yaml

from bot.domain import catalogue as catalogue_module
from bot.domain.catalogue import Region
from bot.domain.text import fold

DATA = Path(__file__).resolve().parents[1] / "data"
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    official_name: str
    region: str
    region_code: str


@dataclass(frozen=True)
class Institution:
    """A workplace known by name (data/institutions.yml): its sector and, if regional, its region."""

    name: str
    sector: str
    region: Optional[str] = None
    kind: bool = False  # a kind of workplace ("vagtcentralen"), not one workplace's own name: weaker evidence


@dataclass(frozen=True)
class Mention:
    """A place named in a text: what it is, and where (character offsets)."""

    kind: str  # "municipality" or "region"
    value: str  # canonical name
    start: int
    end: int


def _says_name(said: list[str], name: list[str]) -> bool:
    """Do the words said name the workplace, also in the genitive ("Nordjyllands Politis vagtcentral",
    "Beredskabsstyrelsens center")?"""
    if said == name:
        return True
    last = name[-1]
    return len(said) == len(name) and said[:-1] == name[:-1] and not last.endswith("s") and said[-1] == last + "s"


def key(text: str) -> str:
    """A spelling-insensitive key: 'København', 'Koebenhavn', 'kobenhavn' share one."""
    folded = fold(text).replace(".", "")
    return folded.replace("aa", "a").replace("oe", "o").replace("ae", "a").replace("-", " ")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """The words of a text in key form, with their character offsets."""
    return [(key(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def spellings(name: str) -> set[str]:
    """The ways people type a name: with æ/ø/å, with ae/oe/aa, with a/o/a, old 'aa' as 'å'."""
    lower = name.lower()
    forms = {
        lower,
        lower.replace("æ", "ae").replace("ø", "oe").replace("å", "aa"),
        lower.replace("æ", "a").replace("ø", "o").replace("å", "a"),
        lower.replace("aa", "å"),
    }
    forms |= {form.replace("-", " ") for form in forms}
    return forms


_PLACE_PREPOSITION = re.compile(r"(?:^|\s)(?:i|på|paa|fra)\s+$", re.I)


# "ansat i Arbejdstilsynet", "en afdeling i politiet", "arbejder for Skat": the writer works there.
_AT = frozenset({"i", "ved", "hos", "for", "pa"})
_WORKS = frozenset(
    {"ansat", "ansatte", "arbejder", "arbejde", "job", "afdeling", "afdelinger", "kontor", "enhed", "sektion", "team"}
    # a university's staff and units ("TAP på RUC", "lektor ved CBS", "RUC administration")
    | {"tap", "vip", "administration", "administrationen", "institut", "instituttet", "sekretariat"}
    | {"sekretariatet", "lektor", "adjunkt", "professor", "forsker", "studieadministration", "studieadministrationen"}
)


class Geography:
    """Look-ups over municipalities and regions; build once, share (see `load`)."""

    def __init__(
        self,
        municipalities: Iterable[Municipality],
        places: dict,
        regions: Iterable[Region],
        institutions: Optional[dict] = None,
    ) -> None:
        self.municipalities = tuple(municipalities)
        self.regions = tuple(regions)
        self._by_name = {m.name: m for m in self.municipalities}
        self.ambiguous_names = frozenset(places.get("ambiguous_names", ()))
        self.word_spellings = frozenset(str(w) for w in places.get("word_spellings", ()))
        # What, written in lower case, names no place without a capital letter or "Kommune".
        self._capital_only = frozenset(a.lower() for a in self.ambiguous_names) | self.word_spellings
        self._lower_after_preposition = frozenset(places.get("lower_case_after_preposition", ()))
        # Typing slips are matched against the municipalities' names and hand-picked aliases only: the ~700
        # towns hold many short names close to everyday words ("på stribe" is one slip from Strib) and to each
        # other, and made slips of the big towns' names ambiguous ("hjøring").
        self._slip_keys: dict[str, str] = {}
        for m in self.municipalities:
            for form in (m.name, m.official_name, m.name + "s", *places["municipality_aliases"].get(m.name, ())):
                self._add_key(self._slip_keys, form, m.name)
        # a municipality's towns and districts (places.yml: towns) name it like its other aliases
        towns = places.get("towns") or {}
        self._municipality_keys: dict[str, str] = dict(self._slip_keys)
        for m in self.municipalities:
            for form in towns.get(m.name, ()):
                self._add_key(self._municipality_keys, form, m.name)
        places = {
            **places,
            "municipality_aliases": {
                m.name: [*places["municipality_aliases"].get(m.name, ()), *towns.get(m.name, ())]
                for m in self.municipalities
            },
        }
        # Places abroad (places.yml: abroad), read by bot.domain.scope.abroad_workplace
        self.abroad = tuple(str(name) for name in places.get("abroad") or ())
        self.abroad_words = tuple(str(word) for word in places.get("abroad_words") or ())
        self._region_keys: dict[str, str] = {}
        for region in self.regions:
            for form in (region.name, *places["region_aliases"].get(region.name, ())):
                self._add_key(self._region_keys, form, region.name)
        self._aliases = places
        # Parts of the country that lie in one region ("Fyn"): they give a region, not a regional workplace.
        self.region_areas = frozenset(key(str(area)) for area in places.get("region_areas", ()))
        self.institutions: list[Institution] = []
        for region_name, names in (institutions or {}).get("regional", {}).items():
            self.institutions += [Institution(str(n), "regional", region_name) for n in names]
        self.institutions += [
            Institution(str(n), "regional", kind=True) for n in (institutions or {}).get("regional_kinds", [])
        ]
        self.institutions += [Institution(str(n), "statslig") for n in (institutions or {}).get("statslig", [])]
        self._alone = {
            key(str(n)): Institution(str(n), "statslig") for n in (institutions or {}).get("statslig_alone", [])
        }
        # Hospitals named by their town alone ("på Gentofte"): bot/domain/workplaces.py decides when.
        self.hospital_short_names: dict[tuple[str, ...], Institution] = {
            tuple(key(str(n)).split()): Institution(str(n), "regional", region_name)
            for region_name, names in (institutions or {}).get("hospital_short_names", {}).items()
            for n in names
        }
        # Acronyms whose keys collide when 'aa' is read as 'å' ("AAUH" and "AUH" both key to 'auh'): the one
        # typed wins.
        self._acronyms = {i.name.lower(): i for i in self.institutions if i.name.isupper() and " " not in i.name}
        # Longest names first, so "SUH Køge" wins over "SUH".
        self._institution_keys = sorted(
            ((key(i.name).split(), i) for i in self.institutions), key=lambda item: -len(item[0])
        )
        # Indexes by first word, built on first use (`find`, `institutions_in`).
        self._names: Optional[tuple[list[tuple[list[str], str, str]], dict[str, list[int]]]] = None
        self._institutions_by_first: Optional[dict[str, list[int]]] = None

    @staticmethod
    def _add_key(table: dict[str, str], form: str, canonical: str) -> None:
        k = key(form)
        if table.get(k, canonical) != canonical:
            raise ValueError(f"'{form}' would name both {table[k]} and {canonical}")
        table[k] = canonical

    # -- municipalities -----------------------------------------------------
    def municipality(self, name: str) -> Municipality:
        return self._by_name[name]

    def municipality_by_code(self, code: str) -> Municipality:
        for m in self.municipalities:
            if m.code == code:
                return m
        raise KeyError(code)

    def canonical_municipality(self, text: str) -> Optional[str]:
        """The municipality a short text names exactly ('kbh' -> 'København'), else None."""
        k = key(text.strip())
        k = re.sub(r"\s+kommune$", "", k)
        return self._municipality_keys.get(k)

    def canonical_region(self, text: str) -> Optional[str]:
        return self._region_keys.get(key(text.strip()))

    def region_of(self, municipality: str) -> str:
        return self._by_name[municipality].region

    def region(self, name: str) -> Region:
        for region in self.regions:
            if region.name == name:
                return region
        raise KeyError(name)

    def find(self, text: str) -> list[Mention]:
        """Every municipality and region named in a text, longest names first, no overlaps.

        Compares word by word in key form, so spelling variants and case are ignored;
        names in `ambiguous_names` need a capital letter or a following 'Kommune'.
        """
        tokens = [(key(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        token_keys = [t[0] for t in tokens]
        candidates, by_first = self._name_index()
        used = [False] * len(tokens)
        mentions: list[Mention] = []
        # the names in their order (longest first), each from the first word on, as a loop over every
        # name would try them; only the names whose first word the text has
        for index, i in sorted((index, i) for i, k in enumerate(token_keys) for index in by_first.get(k, ())):
            words, name, kind = candidates[index]
            n = len(words)
            if i + n > len(tokens) or token_keys[i : i + n] != words or any(used[i : i + n]):
                continue
            start, end = tokens[i][1], tokens[i + n - 1][2]
            if kind == "municipality" and not self._plausible(name, text[start:end], text[end:], text[:start]):
                continue
            used[i : i + n] = [True] * n
            mentions.append(Mention(kind, name, start, end))
        return sorted(mentions, key=lambda m: m.start)

    def _name_index(self) -> tuple[list[tuple[list[str], str, str]], dict[str, list[int]]]:
        """Every region and municipality name as words, longest first, and where each first word starts one
        (built once: a loop over all 700 spellings for every message was most of a read's time)."""
        if self._names is None:
            candidates = [(k.split(), name, "region") for k, name in self._region_keys.items()]
            candidates += [(k.split(), name, "municipality") for k, name in self._municipality_keys.items()]
            candidates.sort(key=lambda item: -len(item[0]))
            by_first: dict[str, list[int]] = {}
            for index, (words, _, _) in enumerate(candidates):
                by_first.setdefault(words[0], []).append(index)
            self._names = (candidates, by_first)
        return self._names

    def _plausible(self, name: str, surface: str, rest: str, before: str = "") -> bool:
        lower = surface.lower()
        if name not in self.ambiguous_names and lower not in self._capital_only:
            return True
        return (
            surface[:1].isupper()
            or lower.endswith("kommune")
            or bool(re.match(r"\s+kommune", rest, re.I))
            or (name in self._lower_after_preposition and bool(_PLACE_PREPOSITION.search(before)))
        )

    def find_municipality(self, text: str) -> Optional[Municipality]:
        found = [m.value for m in self.find(text) if m.kind == "municipality"]
        return self._by_name[found[0]] if found else None

    def find_region(self, text: str) -> Optional[str]:
        found = [m.value for m in self.find(text) if m.kind == "region"]
        return found[0] if found else None

    def misspelt_municipality(self, text: str) -> Optional[Municipality]:
        """A town named with a typing slip in a sentence ('hjemmeplejen i Silkborg'): a word after 'i',
        'på', 'fra' or 'ved' that is close to one municipality's name (or a known alias) and to no other."""
        found = tokens(text)
        for (previous, _, _), (word, _, _) in zip(found, found[1:]):
            if previous not in ("i", "pa", "fra", "ved") or len(word) < 5 or word in self._municipality_keys:
                continue
            close = difflib.get_close_matches(word, list(self._slip_keys), n=3, cutoff=0.85)
            names = {self._slip_keys[c] for c in close}
            if len(names) == 1:
                return self._by_name[names.pop()]
        return None

    def guess_municipality(self, text: str) -> Optional[str]:
        """A close spelling match for a short answer with a typo ('Vejel' -> 'Vejle')."""
        k = re.sub(r"\s+kommune$", "", key(text.strip()))
        if not k or len(k) > 40:
            return None
        close = difflib.get_close_matches(k, list(self._slip_keys), n=2, cutoff=0.8)
        names = {self._slip_keys[c] for c in close}
        return names.pop() if len(names) == 1 else None

    # -- workplaces and sector ------------------------------------------------
    def find_institution(self, text: str) -> Optional[Institution]:
        """The first workplace in data/institutions.yml named in the text."""
        found = self.institutions_in(text)
        return found[0][2] if found else None

    def institutions_in(self, text: str) -> list[tuple[int, int, Institution]]:
        """Every workplace of data/institutions.yml named in the text: (first token, end token, workplace),
        longest names first where they overlap; token positions as `tokens` counts them."""
        alone = self._alone.get(key(text.strip(" .!")))
        token_keys = [k for k, _, _ in tokens(text)]
        if alone:
            return [(0, len(token_keys), alone)]
        used = [False] * len(token_keys)
        found: list[tuple[int, int, Institution]] = []
        if self._institutions_by_first is None:
            self._institutions_by_first = {}
            for index, (words, _) in enumerate(self._institution_keys):
                self._institutions_by_first.setdefault(words[0], []).append(index)
                if len(words) == 1 and not words[0].endswith("s"):  # "Beredskabsstyrelsens center"
                    self._institutions_by_first.setdefault(words[0] + "s", []).append(index)
        # the names in their order, each from the first word on; only those whose first word the text has
        starts = sorted(
            (index, i) for i, k in enumerate(token_keys) for index in self._institutions_by_first.get(k, ())
        )
        for index, i in starts:
            words, institution = self._institution_keys[index]
            n = len(words)
            if _says_name(token_keys[i : i + n], words) and not any(used[i : i + n]):
                used[i : i + n] = [True] * n
                found.append((i, i + n, institution))
        found += self._alone_in_context(text, token_keys, used)
        return sorted((self._as_typed(text, item) for item in found), key=lambda item: item[0])

    def _as_typed(self, text: str, item: tuple[int, int, Institution]) -> tuple[int, int, Institution]:
        """A one-word name as typed: 'AAUH' is Aalborg's, though its key is that of Aarhus's 'AUH'."""
        start, end, institution = item
        if end - start != 1 or not self._acronyms:
            return item
        typed = [m.group() for m in _TOKEN.finditer(text)][start].lower()
        return (start, end, self._acronyms.get(typed, institution))

    def _alone_in_context(
        self, text: str, token_keys: list[str], used: list[bool]
    ) -> list[tuple[int, int, Institution]]:
        """A name that counts alone ("Arbejdstilsynet") inside a sentence where the writer works there: after
        "ansat i", "en afdeling i", "vi er tilsynsførende i" ..., or opening the message ("Arbejdstilsynet. Vi er
        tilsynsførende ...", "politiet på Bornholm: ..."); never after "fra" or "til" ("et påbud fra
        Arbejdstilsynet")."""
        found = []
        heading = re.match(r"\W*([\w æøåÆØÅ]+?)\s*[.,:\n–-]", text)
        for i, k in enumerate(token_keys):
            institution = self._alone.get(k)
            if institution is None or used[i]:
                continue
            at = i >= 2 and token_keys[i - 1] in _AT
            # "ansat i Arbejdstilsynet", "vi er tilsynsførende i Arbejdstilsynet"
            works_there = at and (token_keys[i - 2] in _WORKS or (i >= 3 and token_keys[i - 3] in ("er", "arbejder")))
            # "Arbejdstilsynet. Vi er ...", "politiet på Bornholm: vagtholdene er slået sammen"
            headed = bool(heading) and key(heading.group(1)) == k
            opening = i == 0 and (
                headed
                or (len(token_keys) > 2 and token_keys[1] in _AT)
                or (len(token_keys) > 1 and token_keys[1] in _WORKS)
            )
            if works_there or opening:
                found.append((i, i + 1, institution))
        return found

    # -- spaCy entity ruler ---------------------------------------------------
    def ruler_patterns(self) -> list[dict]:
        """Patterns for spaCy's EntityRuler (phrase patterns matched on LOWER)."""
        patterns: list[dict] = []
        seen: set[tuple[str, str]] = set()

        def add(label: str, form: str, canonical: str) -> None:
            for spelling in sorted(spellings(form)):  # sorted: the same build every time
                if spelling in self.word_spellings:
                    continue  # an everyday word in lower case ("i 2 års tid")
                if (label, spelling) not in seen:
                    seen.add((label, spelling))
                    patterns.append({"label": label, "pattern": spelling, "id": canonical})

        for region in self.regions:
            for form in (region.name, *self._aliases["region_aliases"].get(region.name, ())):
                add("region", form, region.name)
        for m in self.municipalities:
            forms = [m.official_name, m.name + " Kommune", *self._aliases["municipality_aliases"].get(m.name, ())]
            if m.name in self.ambiguous_names:
                # Capitalised only: a token pattern on the exact text.
                patterns.append({"label": "municipality", "id": m.name, "pattern": [{"ORTH": m.name}]})
            else:
                forms += [m.name, m.name + "s"]
            for form in forms:
                if form in self.ambiguous_names:  # a nickname that is also a word ('ringe' = to call)
                    patterns.append({"label": "municipality", "id": m.name, "pattern": [{"ORTH": form}]})
                else:
                    add("municipality", form, m.name)
        return patterns


@lru_cache(maxsize=1)
def load() -> Geography:
    """The geography, read once per process."""
    with open(DATA / "kommuner.csv", encoding="utf-8") as handle:
        municipalities = [
            Municipality(
                code=row["kommunekode"],
                name=row["kommune"],
                official_name=row["officielt_navn"],
                region=row["region"],
                region_code=row["regionskode"],
            )
            for row in csv.DictReader(handle)
        ]
    with open(DATA / "places.yml", encoding="utf-8") as handle:
        places = yaml.safe_load(handle)
    with open(DATA / "institutions.yml", encoding="utf-8") as handle:
        institutions = yaml.safe_load(handle)
    return Geography(municipalities, places, catalogue_module.load().regions, institutions)
