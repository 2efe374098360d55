""".env.example lists every environment variable the project reads, with no value that looks like a secret."""

from __future__ import annotations

import ast
import re
import subprocess

from tests.conftest import ROOT

# A string constant in our code that is spelt like an environment variable (upper case with at
# least one underscore) is taken as one: every such read goes through os.environ or an env mapping.
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+$")
NOT_SETTINGS = {
    "SC_CLK_TCK": "an os.sysconf name, not an environment variable",
    "SANIC_HOST": "set by bot/server/action_server.py from ACTION_SERVER_INTERFACE",
    "RASA_TELEMETRY_ENABLED": "always set to false by the stack and the benchmarks, never read",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "SQLAlchemy's own switch, set by bot/server/quiet.py, not by people",
    "RASA_CACHE_DIRECTORY": "set by the benchmark for the stock bot it trains, never read",
    "BENCH_STARTED": "set by `make bench` (when it started), not by people",
    "INTENT_MODEL_INLINE": "a developer's switch at training time (the intent network in this process), no setting",
    "WEBHOOK_URL": "the end of RECIPIENT_<CODE>_WEBHOOK_URL (bot/records/recipients.py); each recipient's is listed",
    "WEBHOOK_SECRET": "the end of RECIPIENT_<CODE>_WEBHOOK_SECRET; each recipient's is listed",
}


def names_in_code() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for folder in ("bot", "actions"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and ENV_NAME.match(node.value):
                    found.setdefault(node.value, set()).add(str(path.relative_to(ROOT)))
    for path in [*ROOT.glob("endpoints*.yml"), ROOT / "credentials.yml"]:
        settings = "\n".join(
            line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
        )
        for name in re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", settings):
            found.setdefault(name, set()).add(path.name)
    return found


def listed() -> dict[str, str]:
    """NAME -> value for every `NAME=value` or `# NAME=value` line of .env.example."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return dict(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=(.*)$", text, flags=re.M))


def test_env_example_lists_every_variable_the_code_reads():
    missing = {
        name: sorted(where)
        for name, where in names_in_code().items()
        if name not in listed() and name not in NOT_SETTINGS
    }
    assert not missing, f"add these to .env.example (or to NOT_SETTINGS with a reason): {missing}"


def test_env_example_lists_every_recipients_settings():
    from bot.domain import catalogue
    from bot.records.recipients import env_prefix

    for recipient in catalogue.load().recipients:
        for suffix in ("EMAIL", "WEBHOOK_URL", "WEBHOOK_SECRET"):
            assert env_prefix(recipient.code) + suffix in listed(), recipient.code


def test_env_example_holds_no_secrets():
    for name, value in listed().items():
        if re.search(r"TOKEN|SECRET|PASSWORD", name):
            assert value.strip() == "", f"{name} has a value in .env.example"
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert not re.search(r"xox[bpa]-[0-9A-Za-z-]{10,}", text), "a Slack token"


def test_no_secrets_are_committed_in_config_files():
    for path in [*ROOT.glob("*.yml"), ROOT / "Makefile", *ROOT.glob("scripts/*.sh")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"xox[bpa]-[0-9A-Za-z-]{10,}", text), path
        for match in re.finditer(
            r"^\s*(?:token|auth_token|password|secret|signing_secret)\s*:\s*(\S+)", text, flags=re.M | re.I
        ):
            assert match.group(1).startswith(("${", '"${')), f"{path.name}: {match.group(0).strip()}"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


SECRET_PATTERNS = {
    "private key": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    "Slack token": r"xox[abposr]-\d{8,}-\d{8,}-[0-9A-Za-z]{16,}",  # a real one, not a test fake
    "AWS access key": r"\bAKIA[0-9A-Z]{16}\b",
    "GitHub token": r"\bgh[pousr]_[0-9A-Za-z]{30,}\b",
    "password in a URL": r"://[^/\s:@$]+:(?!PASSWORD@)[^/\s@${}]{6,}@",  # not a $VAR or {template}
}


def test_no_file_in_the_repository_holds_a_secret():
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found = []
    for name in files:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (pictures)
        for kind, pattern in SECRET_PATTERNS.items():
            if re.search(pattern, text):
                found.append(f"{name}: {kind}")
    assert not found, found
