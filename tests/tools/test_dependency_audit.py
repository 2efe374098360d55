"""The offline dependency audit (tools/audit.py) on the real lock and the real advisory list.

Also checks the facts that the exposure assessments in docs/advisories.yml rest on (the
C HTTP parser, the upb protobuf backend, Sentry never initialised), so that an assessment
stops passing when the fact behind it changes.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from bot.server.stack import Stack
from tools import audit

ROOT = Path(__file__).resolve().parents[2]
ADVISORY_LIST = audit.load_advisories()
PINS = audit.read_locks()


def _by_id(entries, advisory_id):
    (advisory,) = [a for a in entries if a.id == advisory_id]
    return advisory


def _dependency_audit_section() -> str:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    section = text.split("\n## Dependency audit\n", 1)[1]
    return re.split(r"\n## ", section, maxsplit=1)[0]


@pytest.fixture(scope="module")
def report() -> audit.Report:
    return audit.run_audit(PINS, ADVISORY_LIST)


def test_every_advisory_on_a_version_we_run_has_an_exposure_assessment(report):
    assert len(report.findings) >= 20  # the list is real: aiohttp alone has nine
    missing = [f.advisory.id for f in report.findings if not f.advisory.exposure]
    assert missing == []
    assert report.exit_code == 0


def test_every_advisory_on_a_version_we_run_is_in_the_security_doc(report):
    section = _dependency_audit_section()
    absent = [f.advisory.id for f in report.findings if f.advisory.id not in section]
    assert absent == []


def test_no_advisory_on_a_version_we_run_has_a_fix_that_our_dependents_allow(report):
    upgradable = [(f.advisory.id, [str(v) for v in f.allowed_fixes]) for f in report.findings if f.upgradable]
    assert upgradable == []
    # Where a fix exists, the report names who forbids it (Rasa 3.6's own pins, mostly).
    unexplained = [f.advisory.id for f in report.findings if f.advisory.fixed and not f.blockers]
    assert unexplained == []


@pytest.mark.parametrize(
    "advisory", [a for a in ADVISORY_LIST.advisories if a.affected], ids=lambda a: f"{a.package}-{a.id}"
)
def test_each_range_holds_our_pinned_version_and_excludes_its_fixed_versions(advisory):
    version = PINS.get(advisory.package) or audit.environment_versions([advisory.package])[advisory.package]
    assert advisory.matches(version) is True
    for fixed in advisory.fixed:
        assert advisory.matches(Version(fixed)) is False, fixed


@pytest.mark.parametrize(
    "advisory", [a for a in ADVISORY_LIST.not_affecting if a.affected], ids=lambda a: f"{a.package}-{a.id}"
)
def test_advisories_filed_as_not_affecting_do_not_match_what_we_run(advisory):
    versions = {**audit.environment_versions([advisory.package]), **PINS}
    assert advisory.matches(versions[advisory.package]) is False


def test_matcher_flags_versions_inside_a_range_and_not_outside():
    aiohttp = _by_id(ADVISORY_LIST.advisories, "CVE-2026-22815")  # "<3.13.4"
    assert aiohttp.matches(Version("3.9.5")) and aiohttp.matches(Version("3.13.3"))
    assert not aiohttp.matches(Version("3.13.4")) and not aiohttp.matches(Version("3.14.0"))

    protobuf = _by_id(ADVISORY_LIST.advisories, "CVE-2025-4565")  # three release lines
    assert protobuf.matches(Version("4.23.3")) and protobuf.matches(Version("5.29.4"))
    assert not protobuf.matches(Version("4.25.8"))
    assert not protobuf.matches(Version("5.29.5")) and not protobuf.matches(Version("6.31.1"))

    skops = _by_id(ADVISORY_LIST.advisories, "CVE-2024-37065")  # ">=0.6", no fix
    assert skops.matches(Version("0.9.0")) and not skops.matches(Version("0.5"))


def test_an_advisory_whose_range_is_not_established_is_reported_unclear_not_clean(report):
    (sanic,) = [f for f in report.findings if f.advisory.id == "CVE-2022-35920"]
    assert sanic.status == audit.UNCLEAR and str(sanic.version) == "21.12.2"


def test_a_fix_is_an_upgrade_only_when_every_dependent_allows_it():
    advisory = _by_id(ADVISORY_LIST.advisories, "CVE-2026-22815")  # fixed in 3.13.4
    rasa_caps = {"aiohttp": [("rasa 3.6.21", Requirement("aiohttp>=3.9.0,<3.10"))]}
    allowed, blockers = audit.upgrade_options(advisory, Version("3.9.5"), rasa_caps)
    assert allowed == () and [b.dependent for b in blockers] == ["rasa 3.6.21"]

    loose = {"aiohttp": [("somebody 1.0", Requirement("aiohttp>=3.9"))]}
    allowed, blockers = audit.upgrade_options(advisory, Version("3.9.5"), loose)
    assert allowed == (Version("3.13.4"),) and blockers == ()


def test_an_advisory_without_exposure_assessment_fails_the_check(tmp_path, capsys):
    data = yaml.safe_load(audit.ADVISORIES.read_text(encoding="utf-8"))
    for entry in data["advisories"]:
        if entry["id"] == "CVE-2024-5629":  # pymongo 4.3.3
            entry["exposure"] = ""
    edited = tmp_path / "advisories.yml"
    edited.write_text(yaml.safe_dump(data), encoding="utf-8")

    assert audit.main(["--advisories", str(edited)]) == 1
    assert "exposure: NOT ASSESSED" in capsys.readouterr().out


def test_the_report_says_it_is_a_dated_curated_list_with_its_coverage(capsys):
    assert audit.main([]) == 0
    out = capsys.readouterr().out
    assert "not a live vulnerability database" in out
    assert f"checked {ADVISORY_LIST.checked}" in out
    searched = len(ADVISORY_LIST.searched & (set(PINS) | set(ADVISORY_LIST.environment_packages)))
    assert f"{searched} of " in out and "Not searched: " in out


def test_json_report_carries_the_same_findings(capsys, report):
    assert audit.main(["--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "not a live database" in data["kind"] and data["checked"] == ADVISORY_LIST.checked
    assert {f["id"] for f in data["findings"]} == {f.advisory.id for f in report.findings}


def test_every_searched_package_is_one_we_run():
    running = set(PINS) | set(ADVISORY_LIST.environment_packages)
    assert sorted(ADVISORY_LIST.searched - running) == []


def test_lock_parser_reads_every_pin_under_its_canonical_name():
    texts = [path.read_text(encoding="utf-8") for path in audit.LOCKS]
    entries = [line for text in texts for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert len(PINS) == len(entries)
    assert PINS["pyyaml"] == Version(re.search(r"^pyyaml==(\S+) \\$", texts[0], re.M | re.I).group(1))
    assert audit.parse_lock(
        "PyYAML==6.0.4 \\\n    --hash=sha256:00ff \\\n    --hash=sha256:11ee\n    # via rasa\nruff==0.17.6\n"
    ) == {"pyyaml": Version("6.0.4"), "ruff": Version("0.17.6")}
    with pytest.raises(ValueError):
        audit.parse_lock("aiohttp>=3.9\n")


# --- the facts behind the exposure assessments -------------------------------------------


def test_aiohttp_parses_http_with_its_c_extension_not_the_pure_python_parser():
    from aiohttp import http_parser

    assert http_parser.HttpRequestParser.__module__ == "aiohttp._http_parser"
    assert http_parser.HttpResponseParser.__module__ == "aiohttp._http_parser"


def test_no_code_of_ours_serves_http_with_aiohttp():
    served = [
        str(p.relative_to(ROOT))
        for folder in ("bot", "actions")
        for p in (ROOT / folder).rglob("*.py")
        if re.search(r"aiohttp\.web\b|from aiohttp import web\b", p.read_text(encoding="utf-8"))
    ]
    assert served == []


def test_protobuf_runs_the_upb_backend_not_the_pure_python_one():
    from google.protobuf.internal import api_implementation

    assert api_implementation.Type() == "upb"


def test_rasa_leaves_sentry_uninitialised_with_telemetry_off(monkeypatch):
    import rasa.telemetry
    import sentry_sdk

    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "false")
    rasa.telemetry.initialize_error_reporting()  # what `rasa run` calls at start-up
    assert sentry_sdk.Hub.current.client is None


def test_the_stack_turns_rasa_telemetry_off_even_when_asked_otherwise(tmp_path):
    stack = Stack(run_dir=tmp_path, env={"RASA_TELEMETRY_ENABLED": "true"})
    assert stack._environment()["RASA_TELEMETRY_ENABLED"] == "false"


def test_a_fix_whose_own_requirements_our_pins_cannot_meet_is_no_upgrade():
    advisory = _by_id(ADVISORY_LIST.advisories, "CVE-2025-71176")  # pytest 9.0.3 needs packaging>=22
    dependents = {"pytest": [("pytest-asyncio 1.5.0", Requirement("pytest>=8.4"))]}

    allowed, blockers = audit.upgrade_options(advisory, Version("8.4.2"), dependents, {"packaging": Version("20.9")})
    assert allowed == () and "packaging" in blockers[0].requirement

    allowed, _ = audit.upgrade_options(advisory, Version("8.4.2"), dependents, {"packaging": Version("24.0")})
    assert allowed == (Version("9.0.3"),)
