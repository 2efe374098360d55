"""Offline dependency audit: the pinned set checked against our curated advisory list.

`scripts/audit.sh` first asks a live vulnerability database (pip-audit). Where none can be
reached, it falls back to this module, which matches the locks (`requirements.lock` and
`requirements-dev.lock`) against
`docs/advisories.yml`: advisories (CVE/GHSA/PYSEC) collected by hand from sources that were
read, each with its affected range as a PEP 440 specifier and our assessment of what it
means for this bot (`exposure`). pip and setuptools are pinned in requirements.lock; were one
left out, its version would come from the environment that runs this.

This is no live database: it knows only the advisories in that file, as of the date the file
gives, for the packages the file says were searched. The report says so every time.

    python -m tools.audit                # text report; exit 1 if an advisory needs attention
    python -m tools.audit --format json

An advisory needs attention when it affects a pinned version and has no exposure assessment,
or when one of its fixed versions is allowed by every installed package that depends on it
(then the pin should simply be upgraded).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
# What the bot runs with, and what tests, benchmarks and lint add (scripts/lock.sh makes both).
LOCKS = (ROOT / "requirements.lock", ROOT / "requirements-dev.lock")
ADVISORIES = ROOT / "docs" / "advisories.yml"

_REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

AFFECTED = "affected"
UNCLEAR = "unclear"  # the sources read do not establish whether our pinned version is in range


@dataclass(frozen=True)
class Advisory:
    """One advisory from docs/advisories.yml."""

    package: str
    id: str
    affected: tuple[SpecifierSet, ...]  # any of them; empty when the range is not established
    affected_text: str
    fixed: tuple[str, ...]
    sources: tuple[str, ...]
    checked: str
    summary: str
    exposure: str  # empty when not assessed
    range_note: str = ""
    # Requirements of the fixed release itself (from its metadata): a fix whose requirements
    # our pins cannot meet is no upgrade either.
    fix_requires: tuple[Requirement, ...] = ()

    def matches(self, version: Version) -> Optional[bool]:
        """True if `version` is in an affected range, None if the range is not established."""
        if not self.affected:
            return None
        return any(spec.contains(version, prereleases=True) for spec in self.affected)


@dataclass(frozen=True)
class AdvisoryList:
    """The whole curated file: advisories, reviewed non-matches and the searched packages."""

    checked: str
    advisories: tuple[Advisory, ...]
    not_affecting: tuple[Advisory, ...]  # reviewed: their ranges exclude our versions
    searched_clean: frozenset[str]  # searched, no advisory on our version found
    environment_packages: tuple[str, ...]  # audited from the running environment, not the lock

    @property
    def searched(self) -> frozenset[str]:
        named = {a.package for a in self.advisories} | {a.package for a in self.not_affecting}
        return frozenset(named) | self.searched_clean


@dataclass(frozen=True)
class Blocker:
    """An installed distribution whose requirement excludes every fixed version."""

    dependent: str
    requirement: str


@dataclass(frozen=True)
class Finding:
    """An advisory that affects (or may affect) a version we run."""

    advisory: Advisory
    version: Version
    status: str  # AFFECTED or UNCLEAR
    allowed_fixes: tuple[Version, ...]  # fixed versions every installed dependent allows
    blockers: tuple[Blocker, ...]  # requirements that exclude every fixed version

    @property
    def upgradable(self) -> bool:
        return bool(self.allowed_fixes)

    @property
    def needs_attention(self) -> bool:
        return not self.advisory.exposure or self.upgradable


@dataclass(frozen=True)
class Report:
    """What the offline audit found, and how much it covered."""

    advisory_list: AdvisoryList
    versions: Mapping[str, Version]
    findings: tuple[Finding, ...]
    not_searched: tuple[str, ...] = field(default=())

    @property
    def exit_code(self) -> int:
        return 1 if any(f.needs_attention for f in self.findings) else 0


def canonical(name: str) -> str:
    return canonicalize_name(name)


def parse_lock(text: str) -> dict[str, Version]:
    """`name==version` entries of a lock file in pip's format (hashes on continuation lines or
    not), keyed by canonical name."""
    pins: dict[str, Version] = {}
    for raw in text.replace("\\\n", " ").splitlines():
        line = re.sub(r"\s--hash=\S+", "", raw.split("#", 1)[0]).strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier  # a lock pins exactly one version per package
        if spec.operator != "==":
            raise ValueError(f"not a pin: {raw!r}")
        pins[canonical(requirement.name)] = Version(spec.version)
    return pins


def read_locks(paths: Iterable[Path] = LOCKS) -> dict[str, Version]:
    """Every pin of the given lock files (by default both of ours)."""
    pins: dict[str, Version] = {}
    for path in paths:
        pins.update(parse_lock(path.read_text(encoding="utf-8")))
    return pins


def _specifiers(value: object) -> tuple[SpecifierSet, ...]:
    if value is None:
        return ()
    texts = [value] if isinstance(value, str) else list(value)  # a list means "any of these"
    return tuple(SpecifierSet(str(text)) for text in texts)


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    return (str(value),) if isinstance(value, (str, int, float)) else tuple(str(v) for v in value)


def _advisory(entry: Mapping[str, object], default_checked: str) -> Advisory:
    affected = entry.get("affected")
    return Advisory(
        package=canonical(str(entry["package"])),
        id=str(entry["id"]),
        affected=_specifiers(affected),
        affected_text="; ".join(_strings(affected)) or "range not established",
        fixed=_strings(entry.get("fixed")),
        sources=_strings(entry.get("source")),
        checked=str(entry.get("checked", default_checked)),
        summary=str(entry.get("summary", "")).strip(),
        exposure=str(entry.get("exposure") or "").strip(),
        range_note=str(entry.get("range_note") or "").strip(),
        fix_requires=tuple(Requirement(r) for r in _strings(entry.get("fix_requires"))),
    )


def load_advisories(path: Path = ADVISORIES) -> AdvisoryList:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    checked = str(data["checked"])
    return AdvisoryList(
        checked=checked,
        advisories=tuple(_advisory(e, checked) for e in data.get("advisories") or ()),
        not_affecting=tuple(_advisory(e, checked) for e in data.get("not_affecting") or ()),
        searched_clean=frozenset(canonical(n) for n in data.get("searched_clean") or ()),
        environment_packages=tuple(canonical(n) for n in data.get("environment_packages") or ()),
    )


def environment_versions(names: Iterable[str]) -> dict[str, Version]:
    """Installed versions of packages a lock leaves out (pip, setuptools)."""
    versions = {}
    for name in names:
        try:
            versions[name] = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            continue
    return versions


def installed_requirements(
    packages: Optional[Iterable[str]] = None,
) -> dict[str, list[tuple[str, Requirement]]]:
    """For each package (or each of `packages`), the requirements on it of the distributions
    installed here."""
    wanted = None if packages is None else {canonical(p) for p in packages}
    on: dict[str, list[tuple[str, Requirement]]] = {}
    for dist in metadata.distributions():
        dependent = f"{dist.metadata['Name']} {dist.version}"
        for text in dist.requires or ():
            # Parsing a requirement is slow (pyparsing): look at the name first.
            name = _REQUIREMENT_NAME.match(text)
            if wanted is not None and (not name or canonical(name.group(0)) not in wanted):
                continue
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            # Requirements behind an extra are not installed by default: they bind nothing.
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            on.setdefault(canonical(requirement.name), []).append((dependent, requirement))
    return on


def upgrade_options(
    advisory: Advisory,
    current: Version,
    requirements: Mapping[str, Sequence[tuple[str, Requirement]]],
    versions: Optional[Mapping[str, Version]] = None,
) -> tuple[tuple[Version, ...], tuple[Blocker, ...]]:
    """Fixed versions newer than `current` that every installed dependent allows (and whose
    own requirements our pinned `versions` meet), and what excludes every one of them."""
    candidates = []
    for text in advisory.fixed:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version > current:
            candidates.append(version)
    constraints = [(d, r) for d, r in requirements.get(advisory.package, ()) if r.specifier]
    allowed = tuple(v for v in candidates if all(r.specifier.contains(v, prereleases=True) for _, r in constraints))
    blockers = tuple(
        Blocker(d, str(r))
        for d, r in constraints
        if candidates and not any(r.specifier.contains(v, prereleases=True) for v in candidates)
    )
    versions = versions or {}
    unmet = [
        r
        for r in advisory.fix_requires
        if canonical(r.name) in versions and not r.specifier.contains(versions[canonical(r.name)], prereleases=True)
    ]
    if unmet:
        fixes = ", ".join(str(v) for v in candidates) or ", ".join(advisory.fixed)
        blockers += tuple(
            Blocker(f"{advisory.package} {fixes}", f"{r}, but we run {r.name} {versions[canonical(r.name)]}")
            for r in unmet
        )
        allowed = ()
    if candidates and not allowed and not blockers:
        # Each dependent allows some fixed version, but no single one suits them all.
        blockers = (Blocker("(together)", "; ".join(str(r) for _, r in constraints)),)
    return allowed, blockers


def run_audit(
    pins: Mapping[str, Version],
    advisory_list: AdvisoryList,
    requirements: Optional[Mapping[str, Sequence[tuple[str, Requirement]]]] = None,
) -> Report:
    versions = dict(environment_versions(n for n in advisory_list.environment_packages if n not in pins))
    versions.update(pins)
    if requirements is None:
        requirements = installed_requirements({a.package for a in advisory_list.advisories})
    findings = []
    for advisory in advisory_list.advisories:
        version = versions.get(advisory.package)
        if version is None:
            continue
        match = advisory.matches(version)
        if match is False:
            continue
        allowed, blockers = upgrade_options(advisory, version, requirements, versions)
        findings.append(Finding(advisory, version, AFFECTED if match else UNCLEAR, allowed, blockers))
    not_searched = tuple(sorted(set(versions) - advisory_list.searched))
    return Report(advisory_list, versions, tuple(findings), not_searched)


def render_text(report: Report, advisories_path: Path = ADVISORIES) -> str:
    lst = report.advisory_list
    searched = sorted(lst.searched & set(report.versions))
    lines = [
        "OFFLINE AUDIT: a curated list of advisories, not a live vulnerability database.",
        f"Source: {advisories_path.name}, checked {lst.checked}. {len(searched)} of "
        f"{len(report.versions)} packages were searched for advisories "
        f"({len(report.not_searched)} were not). An advisory published after "
        f"{lst.checked}, or on a package not searched, is not known here.",
        "",
    ]
    for f in report.findings:
        a = f.advisory
        fixed = ", ".join(a.fixed) or "no fix named"
        lines.append(
            f"{f.status.upper():9} {a.package} {f.version}: {a.id} (affected {a.affected_text}; fixed in {fixed})"
        )
        lines.append(f"          {a.summary}")
        if a.range_note:
            lines.append(f"          range: {a.range_note}")
        lines.append(f"          exposure: {a.exposure or 'NOT ASSESSED'}")
        if f.upgradable:
            lines.append(
                "          UPGRADE POSSIBLE: every installed dependent allows "
                + ", ".join(str(v) for v in f.allowed_fixes)
            )
        elif f.blockers:
            lines.append(
                "          no upgrade: " + "; ".join(f"{b.dependent} requires {b.requirement}" for b in f.blockers)
            )
        lines.append(f"          source: {' '.join(a.sources)}")
    affected = [f for f in report.findings if f.status == AFFECTED]
    unclear = [f for f in report.findings if f.status == UNCLEAR]
    lines += [
        "",
        f"{len(affected)} advisories affect {len({f.advisory.package for f in affected})} of our "
        f"packages, {len(unclear)} more may (range not established); "
        f"{sum(not f.advisory.exposure for f in report.findings)} without an exposure assessment, "
        f"{sum(f.upgradable for f in report.findings)} fixable by an allowed upgrade.",
        "Not searched: " + (", ".join(report.not_searched) or "none"),
    ]
    return "\n".join(lines)


def render_json(report: Report) -> str:
    return json.dumps(
        {
            "kind": "offline curated advisory list (not a live database)",
            "checked": report.advisory_list.checked,
            "packages": len(report.versions),
            "searched": sorted(report.advisory_list.searched & set(report.versions)),
            "not_searched": list(report.not_searched),
            "findings": [
                {
                    "package": f.advisory.package,
                    "version": str(f.version),
                    "id": f.advisory.id,
                    "status": f.status,
                    "affected": f.advisory.affected_text,
                    "fixed": list(f.advisory.fixed),
                    "exposure": f.advisory.exposure or None,
                    "allowed_fixes": [str(v) for v in f.allowed_fixes],
                    "blockers": [f"{b.dependent}: {b.requirement}" for b in f.blockers],
                    "source": list(f.advisory.sources),
                }
                for f in report.findings
            ],
        },
        indent=2,
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lock",
        type=Path,
        action="append",
        help="a lock file to audit (repeatable; default: requirements.lock and requirements-dev.lock)",
    )
    parser.add_argument("--advisories", type=Path, default=ADVISORIES)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    report = run_audit(read_locks(args.lock or LOCKS), load_advisories(args.advisories))
    print(render_json(report) if args.format == "json" else render_text(report, args.advisories))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
