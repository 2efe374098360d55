"""The offers, themes, providers and regions, loaded from `data/catalogue.yml` into typed objects."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

import yaml

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "data" / "catalogue.yml"
SECTORS = ("kommunal", "regional", "statslig")


class CatalogueError(ValueError):
    """The catalogue file breaks one of its own rules."""


@dataclass(frozen=True)
class Offer:
    code: str
    sector: str
    name: str
    long_name: str
    reference_prefix: str
    open: bool


@dataclass(frozen=True)
class Theme:
    code: str
    offer: str
    label: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    model: int
    route: Optional[str] = None
    model_1_for_single_activity: bool = False

    @property
    def short_name(self) -> str:
        return self.name.removeprefix("Region ")


@dataclass(frozen=True)
class Provider:
    code: str
    name: str
    short: str
    description: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class CentralUnit:
    """The work-environment unit a model-1 region's workplaces contact first (Region Hovedstaden's)."""

    code: str
    name: str


@dataclass(frozen=True)
class Recipient:
    """Who receives what a conversation ends in: SPARK, a provider, the central unit, the interest list.

    `document` is what it receives: an application, an enquiry or an interest registration;
    `route` is what the workplace does itself when this installation does not deliver to it.
    """

    code: str
    name: str
    document: str
    route: str


DOCUMENTS = ("application", "enquiry", "interest")


@dataclass(frozen=True)
class Catalogue:
    offers: dict[str, Offer]
    themes: tuple[Theme, ...]
    regions: tuple[Region, ...]
    providers: tuple[Provider, ...]
    central_unit: CentralUnit
    recipients: tuple[Recipient, ...]
    exclusions: dict[str, tuple[str, ...]]
    out_of_theme_keywords: tuple[str, ...]
    negation_words: tuple[str, ...]
    lack_keywords: tuple[str, ...]
    applicant_bodies: dict[str, tuple[str, ...]]
    commitments: dict[str, tuple[str, ...]]

    def offer_for_sector(self, sector: str) -> Offer:
        for offer in self.offers.values():
            if offer.sector == sector:
                return offer
        raise KeyError(sector)

    def themes_for(self, offer_code: str) -> tuple[Theme, ...]:
        return tuple(theme for theme in self.themes if theme.offer == offer_code)

    def theme(self, offer_code: str, theme_code: str) -> Theme:
        for theme in self.themes_for(offer_code):
            if theme.code == theme_code:
                return theme
        raise KeyError(f"{offer_code}/{theme_code}")

    def region(self, name_or_code: str) -> Region:
        for region in self.regions:
            if name_or_code in (region.name, region.code):
                return region
        raise KeyError(name_or_code)

    def provider(self, code: str) -> Provider:
        for provider in self.providers:
            if provider.code == code:
                return provider
        raise KeyError(code)

    def recipient(self, code: str) -> Recipient:
        for recipient in self.recipients:
            if recipient.code == code:
                return recipient
        raise KeyError(code)

    def recipient_code(self, offer_code: str, provider: Optional[str] = None) -> str:
        """Who receives a filing of this offer: SPARK, the chosen provider (or central unit), the interest list."""
        sector = self.offers[offer_code].sector
        if sector == "kommunal":
            return "spark"
        if sector == "regional":
            if not provider:
                raise KeyError(f"{offer_code} needs a provider")
            return provider
        return self.interest_list.code

    @property
    def interest_list(self) -> Recipient:
        return next(r for r in self.recipients if r.document == "interest")

    def provider_name(self, code: str) -> str:
        """A provider's name, or the central unit's for a model-1 region's route."""
        return self.central_unit.name if code == self.central_unit.code else self.provider(code).name

    def commitments_for(self, application_type: Optional[str]) -> tuple[str, ...]:
        extra = self.commitments.get("faelles", ()) if application_type == "faelles" else ()
        return self.commitments["all"] + extra


def _tuple(value: object) -> tuple[str, ...]:
    return tuple(str(item) for item in (value or []))


def parse(raw: dict) -> Catalogue:
    """Build and check a catalogue from the YAML structure."""
    offers = {
        code: Offer(
            code=code,
            sector=o["sector"],
            name=o["name"],
            long_name=o["long_name"],
            reference_prefix=o["reference_prefix"],
            open=bool(o["open"]),
        )
        for code, o in raw["offers"].items()
    }
    # A theme shared by two offers (vold_og_trusler) lists its keywords once.
    keywords_by_code: dict[str, tuple[str, ...]] = {}
    for t in raw["themes"]:
        if t["keywords"] and t["code"] not in keywords_by_code:
            keywords_by_code[t["code"]] = _tuple(t["keywords"])
    themes = tuple(
        Theme(
            code=t["code"],
            offer=t["offer"],
            label=t["label"],
            keywords=_tuple(t["keywords"]) or keywords_by_code.get(t["code"], ()),
        )
        for t in raw["themes"]
    )
    catalogue = Catalogue(
        offers=offers,
        themes=themes,
        regions=tuple(Region(**{**r, "code": str(r["code"])}) for r in raw["regions"]),
        providers=tuple(
            Provider(
                code=p["code"],
                name=p["name"],
                short=p["short"],
                description=p["description"],
                aliases=_tuple(p["aliases"]),
            )
            for p in raw["providers"]
        ),
        central_unit=CentralUnit(**raw["central_unit"]),
        recipients=_recipients(raw),
        exclusions={name: _tuple(e["keywords"]) for name, e in raw["exclusions"].items()},
        out_of_theme_keywords=_tuple(raw["out_of_theme"]["keywords"]),
        negation_words=_tuple(raw["negation"]["words"]),
        lack_keywords=_tuple(raw["negation"]["lack_keywords"]),
        applicant_bodies={k: _tuple(v) for k, v in raw["applicant_bodies"].items()},
        commitments={k: _tuple(v) for k, v in raw["commitments"].items()},
    )
    _check(catalogue)
    return catalogue


def _recipients(raw: dict) -> tuple[Recipient, ...]:
    """SPARK, each provider, the central unit and the interest list, from `recipients:` in the catalogue."""
    given = raw["recipients"]

    def text(entry: dict) -> str:
        return " ".join(str(entry["route"]).split())

    found = [Recipient("spark", given["spark"]["name"], given["spark"]["document"], text(given["spark"]))]
    found += [
        Recipient(p["code"], p["name"], given["providers"]["document"], text(given["providers"]))
        for p in raw["providers"]
    ]
    central = raw["central_unit"]
    found.append(
        Recipient(central["code"], central["name"], given["central_unit"]["document"], text(given["central_unit"]))
    )
    interest = given["interest_list"]
    found.append(Recipient(interest["code"], interest["name"], interest["document"], text(interest)))
    return tuple(found)


def _check(catalogue: Catalogue) -> None:
    sectors = sorted(offer.sector for offer in catalogue.offers.values())
    if sectors != sorted(SECTORS):
        raise CatalogueError(f"one offer per sector expected, got {sectors}")
    for theme in catalogue.themes:
        if theme.offer not in catalogue.offers:
            raise CatalogueError(f"theme {theme.code} names unknown offer {theme.offer}")
        if not theme.keywords:
            raise CatalogueError(f"theme {theme.code} has no keywords")
    for offer in catalogue.offers:
        codes = [t.code for t in catalogue.themes_for(offer)]
        if len(codes) != len(set(codes)):
            raise CatalogueError(f"offer {offer} lists a theme twice")
    if len({r.code for r in catalogue.regions}) != len(catalogue.regions):
        raise CatalogueError("region codes must be unique")
    for region in catalogue.regions:
        if region.model not in (1, 2):
            raise CatalogueError(f"{region.name}: model must be 1 or 2")
        if region.model == 1 and region.route != catalogue.central_unit.code:
            raise CatalogueError(f"{region.name}: a model-1 region's route is the central unit")
    codes = [r.code for r in catalogue.recipients]
    if len(codes) != len(set(codes)):
        raise CatalogueError(f"recipient codes must be unique: {codes}")
    for recipient in catalogue.recipients:
        if recipient.document not in DOCUMENTS:
            raise CatalogueError(f"recipient {recipient.code}: document must be one of {DOCUMENTS}")
    if [r.document for r in catalogue.recipients].count("interest") != 1:
        raise CatalogueError("exactly one recipient (the interest list) receives interest registrations")


@lru_cache(maxsize=1)
def load(path: Path = CATALOGUE_PATH) -> Catalogue:
    """The catalogue, read once per process."""
    with open(path, encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
