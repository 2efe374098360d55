"""Which input channels the Rasa server opens, decided from the environment at start-up.

Rasa stops the start when credentials.yml names an unset ${VAR}, so the stack writes a
runtime credentials file from `runtime_credentials()` instead: a channel whose secrets
are missing is simply left out. credentials.yml in the repo documents the same channels.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional


def runtime_credentials(env: Mapping[str, str]) -> dict[str, Optional[dict[str, Any]]]:
    credentials: dict[str, Optional[dict[str, Any]]] = {"rest": None}
    return credentials
