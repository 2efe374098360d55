"""The terminal client of `make shell` (bot/server/shell.py) without a Rasa server: what it prints and sends."""

from __future__ import annotations

import io
from pathlib import Path

from bot.server import shell

GREETING = [
    {
        "text": "Hej! Jeg er Arbejdsmiljøguiden.",
        "buttons": [
            {"title": "Søg om støtte", "payload": "/start_application"},
            {"title": "Hvad er SPARK?", "payload": "/faq/hvad_er_spark"},
        ],
    }
]


class FakeBot:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: str) -> list[dict]:
        self.sent.append(message)
        if message == shell.GREETING_PAYLOAD:
            return GREETING
        if message == "/start_application":
            return [
                {"text": "Hvor hører jeres arbejdsplads til?"},
                {"custom": {"copy_text": "Arbejdsplads: Solgården"}},
            ]
        return [{"text": f"Du skrev {message}"}]


def talk(typed: str, interactive: bool = False) -> tuple[FakeBot, str]:
    bot, out = FakeBot(), io.StringIO()
    shell.converse(bot.send, io.StringIO(typed), out, interactive=interactive)
    return bot, out.getvalue()


def test_it_greets_like_the_web_chat_and_shows_button_titles_never_payloads():
    bot, out = talk("")
    assert bot.sent == ["/greet"]
    assert "Hej! Jeg er Arbejdsmiljøguiden." in out
    assert "  1) Søg om støtte" in out and "  2) Hvad er SPARK?" in out
    assert "/start_application" not in out and "/faq/" not in out


def test_a_number_picks_that_button_and_custom_messages_print_as_plain_text():
    bot, out = talk("1\n")
    assert bot.sent == ["/greet", "/start_application"]
    assert "Arbejdsplads: Solgården" in out and "copy_text" not in out and "{" not in out


def test_a_number_without_buttons_is_sent_as_text():
    bot, _ = talk("1\n7\n")
    assert bot.sent == ["/greet", "/start_application", "7"]


def test_stop_and_the_end_of_the_input_end_the_conversation():
    bot, out = talk("hej\n/stop\nnot read\n")
    assert bot.sent == ["/greet", "hej"]
    assert "Du: /stop" in out
    bot, _ = talk("hej")  # no newline, then the end of piped input (Ctrl-D in a terminal)
    assert bot.sent == ["/greet", "hej"]


def test_an_interactive_session_prompts_and_does_not_echo():
    _, out = talk("hej\n", interactive=True)
    assert out.count("Du: ") == 2 and "Du: hej" not in out


def test_the_shell_listens_on_loopback_in_its_own_run_folder_and_ports(tmp_path: Path):
    stack = shell.ShellStack(run_dir=tmp_path / "shell", rasa_port=shell.free_port(), action_port=shell.free_port())
    command = stack.rasa_command(stack.rasa_port, tmp_path / "e.yml", tmp_path / "c.yml")
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert stack.rasa_port not in (5005, 5055) and stack.action_port not in (5005, 5055)
    assert stack.action_url == f"http://127.0.0.1:{stack.action_port}/webhook"
    assert (
        shell.ShellStack(run_dir=tmp_path, action_url_override="http://127.0.0.1:5055/webhook").action_url
        == "http://127.0.0.1:5055/webhook"
    )
    stack.run_dir.mkdir()
    assert stack.write_credentials().read_text() == "bot.channels.rest.RestInput:\n"
    assert stack._environment()["APPLICATIONS_DB"].endswith("var/applications.db")
