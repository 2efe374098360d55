"""`make shell` (`python -m bot shell`): talk to the bot in the terminal, as in the web chat.

It starts its own Rasa server on a free port on 127.0.0.1 (run folder var/shell, so nothing of
`make run` is touched) and uses the running bot's action server when `make run` has one on
127.0.0.1:5055, else its own, also on a free loopback port. A small console client then talks to
it over the REST channel: it greets like the web chat (the greeting payload, so domain.yml's
utter_greet), shows button titles numbered (type the number to pick one), never payloads, and
prints custom messages such as the text to copy as plain text. It ends at /stop, Ctrl-D, Ctrl-C
or the end of piped input, and stops what it started.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from bot.server.stack import PROJECT_ROOT, Stack, free_port

GREETING_PAYLOAD = "/greet"  # what the web chat sends when a conversation starts (web/chat.js)
STOP_WORDS = {"/stop", "/exit", "/quit"}
RUNNING_ACTION_SERVER = "http://127.0.0.1:5055"
BOT_NAME = "Arbejdsmiljøguiden"


@dataclass
class ShellStack(Stack):
    """A Rasa server for the shell, with its own action server unless `action_url_override` names one."""

    action_url_override: Optional[str] = None

    @property
    def action_url(self) -> str:
        return self.action_url_override or super().action_url

    def write_credentials(self) -> Path:
        # The REST channel only: the console client is its one user.
        path = self.run_dir / "credentials.yml"
        path.write_text("bot.channels.rest.RestInput:\n", encoding="utf-8")
        return path

    def _environment(self) -> dict[str, str]:
        env = super()._environment()
        # Filed applications go where `make run` files them, so `python -m bot applications` sees them.
        env["APPLICATIONS_DB"] = os.environ.get("APPLICATIONS_DB") or str(PROJECT_ROOT / "var" / "applications.db")
        return env

    def start(self, timeout: float = 240.0) -> "ShellStack":
        self.run_dir.mkdir(parents=True, exist_ok=True)
        endpoints = self.write_endpoints()
        credentials = self.write_credentials()
        env = self._environment()
        if not self.action_url_override:
            self._spawn("actions", self.action_command(), env)
        self._spawn("rasa", self.rasa_command(self.rasa_port, endpoints, credentials, log_name="rasa-internal"), env)
        deadline = time.monotonic() + timeout
        if not self.action_url_override:
            self._wait(f"http://127.0.0.1:{self.action_port}/health", deadline)
        self._wait(f"{self.rasa_url}/", deadline)
        return self


def running_action_server(base: str = RUNNING_ACTION_SERVER) -> Optional[str]:
    """The webhook of the action server `make run` started, if one answers on 127.0.0.1:5055."""
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=1) as response:
            if response.status == 200:
                return f"{base}/webhook"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        pass
    return None


# --- the console client ---------------------------------------------------------------------------


def render(messages: list[dict[str, Any]]) -> tuple[list[str], list[tuple[str, str]]]:
    """The lines to print for the bot's messages, and the buttons offered (title, payload) in order."""
    lines: list[str] = []
    buttons: list[tuple[str, str]] = []
    for message in messages:
        if message.get("text"):
            lines.append(str(message["text"]))
        custom = message.get("custom")
        if isinstance(custom, dict):
            for value in custom.values():  # e.g. {"copy_text": "..."}: the text itself, plainly
                if isinstance(value, str) and value.strip():
                    lines.append(value)
        if message.get("image"):
            lines.append(str(message["image"]))
        for button in message.get("buttons") or ():
            title = str(button.get("title") or "").strip()
            if title:
                buttons.append((title, str(button.get("payload") or title)))
    if buttons:
        lines.extend(f"  {number}) {title}" for number, (title, _) in enumerate(buttons, start=1))
    return lines, buttons


def choice(typed: str, buttons: list[tuple[str, str]]) -> str:
    """What to send for what the user typed: a button's payload for its number, else the text."""
    text = typed.strip()
    if text.isdigit() and 1 <= int(text) <= len(buttons):
        return buttons[int(text) - 1][1]
    return text


class RestClient:
    """One conversation over the REST channel."""

    def __init__(self, rasa_url: str, sender: Optional[str] = None, timeout: float = 60.0) -> None:
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.sender = sender or f"shell-{uuid.uuid4().hex[:12]}"
        self.timeout = timeout

    def send(self, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": self.sender, "message": message}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.loads(response.read().decode("utf-8") or "[]")


def converse(send: Callable[[str], list[dict[str, Any]]], stdin: TextIO, stdout: TextIO, interactive: bool) -> None:
    """Greet, then read a line, send it, print the answer, until /stop or the end of the input."""

    def show(messages: list[dict[str, Any]]) -> list[tuple[str, str]]:
        lines, buttons = render(messages)
        for line in lines:
            print(f"{BOT_NAME}: {line}" if not line.startswith("  ") else line, file=stdout)
        if buttons:
            print("(Skriv et nummer for at vælge.)", file=stdout)
        stdout.flush()
        return buttons

    buttons = show(send(GREETING_PAYLOAD))
    while True:
        if interactive:
            stdout.write("Du: ")
            stdout.flush()
        line = stdin.readline()
        if not line:  # Ctrl-D or the end of piped input
            if interactive:
                print(file=stdout)
            return
        typed = line.strip()
        if not interactive:
            print(f"Du: {typed}", file=stdout)
        if typed.lower() in STOP_WORDS:
            return
        if not typed:
            continue
        buttons = show(send(choice(typed, buttons)))


def main(run_dir: Path = PROJECT_ROOT / "var" / "shell") -> int:
    interactive = sys.stdin.isatty()
    existing = running_action_server()
    stack = ShellStack(run_dir=run_dir, rasa_port=free_port(), action_port=free_port(), action_url_override=existing)
    where = "den kørende bots action server" if existing else "sin egen action server"
    print(
        f"Starter {BOT_NAME} i terminalen (Rasa-server på 127.0.0.1:{stack.rasa_port}, {where}) "
        "... det tager op til et minut.",
        flush=True,
    )
    started = time.monotonic()
    try:
        stack.start()
    except (RuntimeError, TimeoutError) as error:
        print(f"{BOT_NAME} kunne ikke starte: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        stack.stop()
        return 130
    print(f"Klar efter {time.monotonic() - started:.0f} s. Skriv /stop eller tryk Ctrl-D for at slutte.\n", flush=True)
    client = RestClient(stack.rasa_url)
    try:
        converse(client.send, sys.stdin, sys.stdout, interactive)
    except KeyboardInterrupt:
        print(file=sys.stdout)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        print(f"Forbindelsen til Rasa-serveren gik tabt: {error} (se {run_dir}/rasa.log)", file=sys.stderr)
        return 1
    finally:
        stack.stop()
    print("Farvel.")
    return 0
