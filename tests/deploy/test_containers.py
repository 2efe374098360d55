"""The container files, checked statically (nothing is pulled, built or started here): hadolint on the
Dockerfile, compose.yaml against .env.example and the endpoints file, kubernetes-validate on the
manifests, the Helm values against credentials.yml and endpoints.production.yml."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
BOT_SERVICES = {"rasa", "actions", "worker"}
ENV_EXAMPLE = set(
    re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), flags=re.M)
)
# Settings of the PostgreSQL image itself, not of the bot (filled from DB_* in compose.yaml).
IMAGE_SETTINGS = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), split into build stages."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def test_the_dockerfile_passes_hadolint():
    result = subprocess.run([str(BIN / "hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_is_python_3_10_slim_with_the_runtime_lock_only_and_a_non_root_user():
    stages = dockerfile_stages()
    final = stages[-1]
    assert final[0].startswith("FROM python:3.10-slim")
    text = "\n".join(" ".join(stage) for stage in stages)
    assert "-r requirements.lock" in text and "requirements-dev.lock" not in text
    assert "--require-hashes" in text
    user = [line for line in final if line.startswith("USER ")]
    assert user and user[-1].split()[1].split(":")[0] not in ("0", "root")
    assert "python -m bot build-spacy build/spacy_da" in text and "python -m bot train" in text
    assert any("models/current.tar.gz ./models/current.tar.gz" in line for line in final)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", "web/node_modules", "tests"} <= set(ignored)


def test_compose_runs_the_three_parts_from_one_image_beside_postgres_and_redis():
    services = COMPOSE["services"]
    assert set(services) == BOT_SERVICES | {"postgres", "redis"}
    assert {services[name]["image"] for name in BOT_SERVICES} == {"arbejdsmiljoguiden:latest"}
    assert all(services[name]["build"]["context"] == "." for name in BOT_SERVICES)
    assert services["rasa"]["command"][:4] == ["python", "-m", "bot.server.rasa_server", "run"]
    assert "endpoints.production.yml" in services["rasa"]["command"]
    assert "credentials.yml" in services["rasa"]["command"]
    assert services["actions"]["command"][:3] == ["python", "-m", "bot.server.action_server"]
    assert services["worker"]["command"] == ["python", "-m", "bot", "deliver"]


def test_compose_publishes_only_the_rasa_server_and_only_on_loopback():
    published = {name: service.get("ports", []) for name, service in COMPOSE["services"].items()}
    assert published.pop("rasa") == ["127.0.0.1:5005:5005"]
    assert all(ports == [] for ports in published.values()), published


def _interpolated(value: object) -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", yaml.safe_dump(value)))


def test_compose_uses_only_the_setting_names_of_env_example():
    for name, service in COMPOSE["services"].items():
        keys = set(service.get("environment", {})) - IMAGE_SETTINGS
        assert keys <= ENV_EXAMPLE, (name, sorted(keys - ENV_EXAMPLE))
        assert _interpolated(service) <= ENV_EXAMPLE, (name, sorted(_interpolated(service) - ENV_EXAMPLE))


def test_compose_gives_the_rasa_server_every_variable_of_the_production_endpoints_file():
    endpoints = (ROOT / "endpoints.production.yml").read_text(encoding="utf-8")
    needed = set(re.findall(r"^[^#\n]*\$\{([A-Z][A-Z0-9_]*)\}", endpoints, flags=re.M))
    assert needed and needed <= set(COMPOSE["services"]["rasa"]["environment"])


def test_compose_gives_the_action_server_and_the_worker_every_delivery_setting():
    delivery = {name for name in ENV_EXAMPLE if name.startswith(("RECIPIENT_", "SMTP_", "DELIVERY_", "INTAKE_"))}
    for name in ("actions", "worker"):
        environment = COMPOSE["services"][name]["environment"]
        assert delivery <= set(environment), (name, sorted(delivery - set(environment)))
        assert environment["APPLICATIONS_DB_URL"].startswith("postgresql://")
    assert COMPOSE["services"]["actions"]["environment"]["ACTION_SERVER_INTERFACE"] == "0.0.0.0"


def test_compose_creates_the_applications_database_that_the_url_names():
    init = (ROOT / "deploy" / "compose" / "applications-database.sql").read_text(encoding="utf-8")
    assert "CREATE DATABASE applications;" in init
    assert COMPOSE["services"]["worker"]["environment"]["APPLICATIONS_DB_URL"].endswith("@postgres:5432/applications")


def test_the_kubernetes_manifests_validate():
    manifests = sorted(str(path) for path in (ROOT / "deploy" / "kubernetes").glob("*.yaml"))
    assert len(manifests) == 2
    result = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", *manifests], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def test_the_manifests_run_our_two_parts_as_non_root_from_the_image_of_the_helm_values():
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "rasa-values.yaml").read_text(encoding="utf-8"))
    image = f"{values['image']['repository']}:{values['image']['tag']}"
    commands = {}
    for path in (ROOT / "deploy" / "kubernetes").glob("*.yaml"):
        for doc in _documents(path):
            if doc["kind"] != "Deployment":
                continue
            pod = doc["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            (container,) = pod["containers"]
            assert container["image"] == image
            commands[doc["metadata"]["name"]] = container["command"]
    assert commands["arbejdsmiljoguiden-actions"][:3] == ["python", "-m", "bot.server.action_server"]
    assert commands["arbejdsmiljoguiden-delivery"] == ["python", "-m", "bot", "deliver"]


def test_the_helm_values_serve_the_channels_and_stores_of_our_files():
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "rasa-values.yaml").read_text(encoding="utf-8"))
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    settings = values["applicationSettings"]
    assert set(settings["credentials"]["additionalChannelCredentials"]) == set(credentials)
    endpoints = yaml.safe_load((ROOT / "endpoints.production.yml").read_text(encoding="utf-8"))
    for chart_key, file_key in (("trackerStore", "tracker_store"), ("lockStore", "lock_store")):
        chart = {k: v for k, v in settings["endpoints"][chart_key].items() if k != "enabled"}
        assert {k: str(v) for k, v in chart.items()} == {k: str(v) for k, v in endpoints[file_key].items()}
    assert values["command"] == ["python", "-m", "bot.server.rasa_server"]
    assert settings["enableAPI"] is False and settings["cors"] != "*"
    # The action server's Service is the one the Rasa pods are pointed at.
    services = [
        doc
        for path in (ROOT / "deploy" / "kubernetes").glob("*.yaml")
        for doc in _documents(path)
        if doc["kind"] == "Service"
    ]
    (service,) = services
    port = service["spec"]["ports"][0]["port"]
    assert values["rasa-action-server"]["external"]["url"] == f"http://{service['metadata']['name']}:{port}/webhook"


@pytest.mark.parametrize("module", ["bot.server.rasa_server", "bot.server.action_server", "bot.cli"])
def test_every_command_of_the_container_files_names_a_module_of_ours(module):
    path = ROOT / (module.replace(".", "/") + ".py")
    assert path.is_file()
    texts = [(ROOT / name).read_text(encoding="utf-8") for name in ("Dockerfile", "compose.yaml")]
    texts += [path.read_text(encoding="utf-8") for path in (ROOT / "deploy").rglob("*.yaml")]
    assert any(module.replace("bot.cli", "bot") in text for text in texts)
