"""bot/domain is pure: it imports nothing but itself, the standard library, PyYAML and two validation libraries."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.conftest import ROOT

DOMAIN = ROOT / "bot" / "domain"
ALLOWED_THIRD_PARTY = {
    "yaml",
    # Pure validation libraries, no I/O: they only compute over their own bundled data
    # (libphonenumber's metadata; e-mail syntax with check_deliverability=False, so no DNS).
    "phonenumbers",
    "email_validator",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_domain_modules_import_only_the_domain_the_standard_library_yaml_and_the_validators():
    offenders = {}
    for path in sorted(DOMAIN.glob("*.py")):
        bad = sorted(
            module
            for module in imported_modules(path)
            if not (
                module == "bot.domain"
                or module.startswith("bot.domain.")
                or module.split(".")[0] in sys.stdlib_module_names
                or module.split(".")[0] in ALLOWED_THIRD_PARTY
            )
        )
        if bad:
            offenders[path.name] = bad
    assert offenders == {}


def test_domain_modules_never_read_the_environment():
    readers = [
        path.name
        for path in DOMAIN.glob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8") or "getenv" in path.read_text(encoding="utf-8")
    ]
    assert readers == []


def test_the_purity_check_sees_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import sqlalchemy\nfrom rasa_sdk import Tracker\nfrom bot.domain import text\nimport os\n")
    assert imported_modules(sample) == {"sqlalchemy", "rasa_sdk", "bot.domain", "os"}
