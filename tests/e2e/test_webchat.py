"""The web chat page (web/, served by bot/channels/webchat.py) in a real browser on the shared stack.

Debian's Chromium, driven by playwright (no browser download), opens the page that the real
Rasa server serves, and a person's conversation is played through it: typed messages,
buttons clicked with the mouse and pressed with the keyboard, a reload, the filing. The
socket.io channel itself is also checked without a browser (origins, session ids).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import ROOT, socket_session, wait_until

pytestmark = pytest.mark.e2e

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# The flags that let Debian's Chromium run here: as root, without a GPU, and without the
# background connections to Google's hosts that this closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "e2e" / "artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

# Typed as the workplace's name. Rendered as HTML it would add an <img>, fetch /chat/x and
# open an alert; as text it does none of that.
HOSTILE_NAME = "<img src=x onerror=alert(document.domain)>"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing ({CHROMIUM}). Install it with `bash scripts/setup-browser.sh` "
            "(make test does this), or point CHROMIUM to a Chromium binary."
        )
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `bash scripts/setup.sh` (npm ci in web/).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() starts Chromium on a new, empty profile folder of its own (and deletes it
        # afterwards); each test then gets a fresh context that shares nothing with the others.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class ChatPage:
    """One browser tab on the chat page, recording every request, dialog and script error."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    dialogs: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    confirm_dialogs: bool = True

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("websocket", lambda ws: (self.requests.append(ws.url), self.websockets.append(ws.url)))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append((dialog.type, dialog.message))
        dialog.accept() if self.confirm_dialogs else dialog.dismiss()

    def open(self) -> "ChatPage":
        self.page.goto(self.url)
        self.wait_for_bot("Hej! Jeg er Arbejdsmiljøguiden", after=0)
        return self

    def bot_count(self) -> int:
        return self.page.locator("#messages .msg.bot").count()

    def wait_for_bot(self, expected: str, after: int) -> None:
        """Wait until a bot message after the first `after` ones contains `expected`."""
        self.page.wait_for_function(
            """([after, expected]) => Array.from(document.querySelectorAll('#messages .msg.bot'))
                   .slice(after).some(m => m.textContent.includes(expected))""",
            arg=[after, expected],
            timeout=60_000,
        )

    def type(self, text: str, expect: str) -> None:
        """Type a message with the keyboard and press Enter."""
        before = self.bot_count()
        box = self.page.get_by_label("Din besked")
        box.click()
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        self.wait_for_bot(expect, after=before)

    def click(self, title: str, expect: str) -> None:
        before = self.bot_count()
        self.page.get_by_role("button", name=title, exact=True).click()
        self.wait_for_bot(expect, after=before)

    def transcript(self) -> str:
        return self.page.locator("#messages").inner_text()

    def session_id(self) -> str:
        return self.page.evaluate("JSON.parse(sessionStorage.getItem('arbejdsmiljoguiden.chat')).sessionId")

    def session_tag(self) -> str:
        return self.page.evaluate("JSON.parse(sessionStorage.getItem('arbejdsmiljoguiden.chat')).sessionTag")

    def axe_violations(self) -> list[dict]:
        """axe-core's serious and critical violations on the page as it is now."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser, so the page's CSP holds
        violations = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .map(v => ({id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.map(n => n.target.join(' '))}))"""
        )
        return [v for v in violations if v["impact"] in ("serious", "critical")]

    def assert_only_loopback_requests(self) -> None:
        assert self.requests, "no request was recorded"
        foreign = [url for url in self.requests if urlsplit(url).hostname not in LOOPBACK]
        assert not foreign, f"the page loaded something from another host: {foreign}"

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def chat_url(running_bot) -> str:
    from bot.channels.credentials import CHAT_PATH

    return running_bot.stack.rasa_url + CHAT_PATH


@pytest.fixture
def desktop(browser, chat_url) -> Iterator[ChatPage]:
    context = browser.new_context(viewport={"width": 1000, "height": 820}, locale="da-DK")
    try:
        yield ChatPage(context.new_page(), chat_url)
    finally:
        context.close()


@pytest.fixture
def phone(browser, chat_url) -> Iterator[ChatPage]:
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="da-DK"
    )
    try:
        yield ChatPage(context.new_page(), chat_url)
    finally:
        context.close()


def test_page_is_danish_and_says_what_is_stored(desktop):
    chat = desktop.open()
    page = chat.page
    assert page.evaluate("document.documentElement.lang") == "da"
    assert "Arbejdsmiljøguiden" in page.title()
    assert page.get_by_label("Din besked").get_attribute("placeholder") == "Skriv din besked her"
    assert page.get_by_role("button", name="Send").is_visible()
    assert page.get_by_role("button", name="Ny samtale").is_visible()
    privacy = page.locator("#privacy").inner_text()
    assert "gemmer samtalen og de kontaktoplysninger" in privacy and "hjælpe jer med ansøgningen" in privacy
    assert "til du lukker fanen" in privacy and "Ingen cookies" in privacy
    notice = page.get_by_role("link", name="Læs mere om dine oplysninger")
    notice_url = urljoin(chat.url, notice.get_attribute("href"))
    assert page.request.get(notice_url).status == 200  # the full notice (bot/channels/privacy_page.py)
    log = page.locator("#messages")
    assert (log.get_attribute("role"), log.get_attribute("aria-live")) == ("log", "polite")


def test_conversation_by_typing_and_buttons_survives_reload_and_is_filed(desktop, running_bot):
    chat = desktop.open()
    page = chat.page
    chat.type("Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne", expect="én arbejdsplads")
    chat.click("Én arbejdsplads", expect="TRIO eller jeres lokalMED")

    # Keyboard only: from the message box, Shift+Tab reaches the answer buttons (last first).
    page.get_by_label("Din besked").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
                                     return [e.textContent, s.outlineStyle, parseFloat(s.outlineWidth)]; }""")
    assert focused[0] == "TRIO"
    assert focused[1] != "none" and focused[2] >= 2, f"no visible focus ring: {focused}"
    before = chat.bot_count()
    page.keyboard.press("Enter")
    chat.wait_for_bot("Passer det?", after=before)
    assert page.evaluate("document.activeElement.id") == "message", "after an answer button, focus returns to the box"

    chat.click("Ja, det passer", expect="enige om at søge")
    chat.click("Ja, vi er enige", expect="Er I klar til det?")
    page.get_by_role("button", name="Ja, det er vi klar til").wait_for()
    chat.screenshot("webchat.png")  # the picture in the README (docs/webchat.png)
    chat.click("Ja, det er vi klar til", expect="Hvad hedder arbejdspladsen?")
    chat.type(HOSTILE_NAME, expect="Hvad hedder lederen?")
    chat.type("Mette Hansen", expect="lederens e-mailadresse")
    chat.type("mette.hansen@vejle", expect="ligner ikke en e-mailadresse")
    chat.type("mette.hansen@vejle.dk", expect="lederens telefonnummer")
    chat.type("20 30 40 50", expect="Hvad hedder vedkommende?")
    chat.type("Lars Nielsen", expect="Hvilken rolle")
    chat.click("TR", expect="medarbejderrepræsentantens e-mailadresse")
    chat.type("lars.nielsen@vejle.dk", expect="medarbejderrepræsentantens telefonnummer")
    chat.type("spring over", expect="Skal jeg gemme ansøgningen?")

    summary = page.locator("#messages .msg.bot", has_text="Her er jeres svar").last.inner_text()
    assert f"Arbejdsplads: {HOSTILE_NAME}" in summary
    assert "Lederens telefon: +45 20304050" in summary
    assert page.locator("#messages img").count() == 0
    assert not [d for d in chat.dialogs if d[0] == "alert"], "the workplace name ran as script"
    assert not [url for url in chat.requests if urlsplit(url).path.endswith("/x")], "the <img> was rendered"

    # A reload keeps the conversation: the same session, the earlier messages, the pending buttons.
    session_id = chat.session_id()
    assert re.fullmatch(r"[0-9a-f]{32}", session_id)
    assert re.fullmatch(r"[0-9a-f]{64}", chat.session_tag()), "the page keeps the server's tag to go on"
    shown_before = chat.transcript()
    page.reload()
    page.get_by_role("button", name="Ja", exact=True).wait_for()
    assert chat.session_id() == session_id
    assert chat.transcript() == shown_before
    assert HOSTILE_NAME in chat.transcript() and page.locator("#messages img").count() == 0

    chat.click("Ja", expect="SPARK-")
    reference = re.search(r"SPARK-\d{4}-\d{6}", chat.transcript()).group(0)
    # Nothing is configured for SPARK here: the page says so, and shows the answers to copy, as text.
    assert "sender den ikke videre" in chat.transcript() and "sparkweb.dk" in chat.transcript()
    copy = page.locator(".copy-block pre")
    copy.wait_for()
    assert "Leder: Mette Hansen, mette.hansen@vejle.dk" in copy.inner_text()
    assert HOSTILE_NAME in copy.inner_text() and page.locator("#messages img").count() == 0
    page.get_by_role("button", name="Kopiér teksten").click()
    # (The page's CSP forbids eval, so no wait_for_function: poll the status line from here.)
    deadline = time.monotonic() + 10
    while not any(word in page.locator("#status").inner_text() for word in ("kopieret", "markeret")):
        assert time.monotonic() < deadline, page.locator("#status").inner_text()
        time.sleep(0.1)

    records = running_bot.records_of(session_id, "socketio")
    assert len(records) == 1
    record = records[0]
    assert record["reference"] == reference
    assert record["channel"] == "socketio"
    assert record["workplace"] == HOSTILE_NAME
    assert record["contacts"]["leader"]["email"] == "mette.hansen@vejle.dk"

    assert chat.websockets and all("transport=websocket" in url for url in chat.websockets)
    violations = chat.axe_violations()
    assert not violations, violations
    chat.assert_only_loopback_requests()
    assert page.context.cookies() == [], "the page promises no cookies"
    assert not chat.errors, chat.errors


def test_phone_sized_viewport_fits_and_passes_axe(phone):
    chat = phone.open()
    page = chat.page
    chat.click("Søg om støtte", expect="en kommune, en region eller staten")
    page.get_by_role("button", name="Kommune", exact=True).wait_for()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways on a phone: {width}"
    for control in (page.get_by_label("Din besked"), page.get_by_role("button", name="Send")):
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 667
    violations = chat.axe_violations()
    assert not violations, violations
    chat.screenshot("webchat-phone.png")
    chat.assert_only_loopback_requests()
    assert not chat.errors, chat.errors


def test_links_in_bot_text_are_real_links_and_emails_stay_text(desktop):
    chat = desktop.open()
    chat.type("kan jeg tale med et menneske", expect="sparkweb.dk")
    link = chat.page.locator("#messages .msg.bot a", has_text="sparkweb.dk").last
    assert link.get_attribute("href") == "https://sparkweb.dk/"
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert not chat.errors, chat.errors


def test_new_conversation_clears_the_page_and_starts_a_new_session(desktop):
    chat = desktop.open()
    chat.type("Hvad er SPARK?", expect="Kilde")  # the answer's last message: none arrives after the click
    first = chat.session_id()
    chat.page.get_by_role("button", name="Ny samtale").click()
    # The old greeting is on the page until the page clears it: wait for the new state, not a text.
    wait_until(
        lambda: chat.session_id() != first and "Samarbejde om Psykisk" not in chat.transcript(),
        timeout=60,
        what="the page clears the old conversation and takes a new session",
    )
    chat.wait_for_bot("Hej! Jeg er Arbejdsmiljøguiden", after=0)
    assert ("confirm", "Vil du starte en ny samtale? Samtalen her bliver fjernet fra skærmen.") in chat.dialogs
    assert "Samarbejde om Psykisk" not in chat.transcript()
    wait_until(lambda: chat.session_id() is not None, timeout=60, what="the new session's id")
    assert re.fullmatch(r"[0-9a-f]{32}", chat.session_id()) and chat.session_id() != first
    chat.page.reload()
    chat.wait_for_bot("Hej! Jeg er Arbejdsmiljøguiden", after=0)
    assert "Samarbejde om Psykisk" not in chat.transcript()


def test_a_page_that_claims_a_session_it_was_not_given_starts_a_new_one(desktop):
    chat = desktop.open()
    # The answer's last message is its source line: wait for it, or a message arriving after the forgery
    # below would save the page's real session over it (the page saves its state on every message).
    chat.type("Hvad er SPARK?", expect="Kilde")
    assert "Samarbejde om Psykisk" in chat.transcript()
    # What a forged page (or someone editing the tab's storage) sends: another id with this tag.
    chat.page.evaluate("""() => { const s = JSON.parse(sessionStorage.getItem('arbejdsmiljoguiden.chat'));
                                  s.sessionId = '0'.repeat(32);
                                  sessionStorage.setItem('arbejdsmiljoguiden.chat', JSON.stringify(s)); }""")
    time.sleep(1)
    assert chat.session_id() == "0" * 32, "a late message saved the real session over the forged one"
    chat.page.reload()
    # The page first shows the history it kept, until the server gives it another session. Polled
    # from here: the page's Content-Security-Policy forbids the eval that wait_for_function needs.
    wait_until(
        lambda: chat.session_id() != "0" * 32 and "Samarbejde om Psykisk" not in chat.transcript(),
        timeout=60,
        what="the page drops the claimed session and its history",
    )
    chat.wait_for_bot("Hej! Jeg er Arbejdsmiljøguiden", after=0)
    assert re.fullmatch(r"[0-9a-f]{32}", chat.session_id()) and re.fullmatch(r"[0-9a-f]{64}", chat.session_tag())
    assert not chat.errors, chat.errors


def test_forget_me_also_removes_the_copy_in_the_browser_tab(desktop):
    chat = desktop.open()
    chat.type("Hvad er SPARK?", expect="Samarbejde om Psykisk ARbejdsmiljø")
    # Not chat.type(): the page drops the earlier messages when the signal comes, so "the
    # bot messages after the ones there were" can be empty by the time it is checked.
    chat.page.get_by_label("Din besked").fill("glem mig")
    chat.page.keyboard.press("Enter")
    chat.page.wait_for_function(
        """() => { const t = document.querySelector('#messages').textContent;
                   return t.includes('Jeg har slettet vores samtale') && !t.includes('Hvad er SPARK?'); }""",
        timeout=60_000,
    )
    assert "Samarbejde om Psykisk" not in chat.transcript()
    stored = chat.page.evaluate("sessionStorage.getItem('arbejdsmiljoguiden.chat')")
    assert "Hvad er SPARK?" not in stored and "Jeg har slettet vores samtale" in stored
    chat.page.reload()
    chat.wait_for_bot("Jeg har slettet vores samtale", after=0)
    assert "Hvad er SPARK?" not in chat.transcript()
    assert not chat.errors


# -- the socket.io channel without a browser ---------------------------------------------------


def _handshake(port: int, origin: str, websocket: bool) -> int:
    """The status of a socket.io handshake (long-polling or websocket upgrade) from `origin`."""
    headers = {"Origin": origin}
    if websocket:
        headers.update(
            {
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
            }
        )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        transport = "websocket" if websocket else "polling"
        connection.request("GET", f"/socket.io/?EIO=4&transport={transport}", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize("websocket", [False, True], ids=["polling", "websocket"])
def test_socket_accepts_only_the_pages_own_origin(running_bot, websocket):
    port = running_bot.stack.rasa_port
    accepted = 101 if websocket else 200
    assert _handshake(port, f"http://127.0.0.1:{port}", websocket) == accepted
    assert _handshake(port, f"http://localhost:{port}", websocket) == accepted
    assert _handshake(port, "http://evil.example", websocket) == 400
    assert _handshake(port, f"http://127.0.0.1:{port + 1}", websocket) == 400


def _socket(running_bot):
    import socketio

    client = socketio.SimpleClient()
    client.connect(running_bot.stack.rasa_url, transports=["polling"], socketio_path="socket.io")
    return client


def _reply(client) -> dict:
    import socketio

    try:
        event, reply = client.receive(timeout=60)
    except socketio.exceptions.TimeoutError:
        pytest.fail("no bot reply reached the socket: did it join its session's room? (RasaHQ/rasa#13027)")
    assert event == "bot_uttered", (event, reply)
    return reply


@pytest.mark.parametrize(
    "requested",
    [
        {"session_id": "e2e-municipal-1"},  # someone's REST conversation
        {"session_id": "0" * 32},  # a well-formed id the client chose
        {"session_id": "0" * 32, "session_tag": "0" * 64},  # ... with a made-up tag
        {"session_id": "0" * 32, "session_tag": "æ" * 64},  # ... with a tag that is not even hex
    ],
)
def test_socket_never_joins_a_session_id_it_did_not_get_from_the_server(running_bot, requested):
    from bot.channels.webchat import SESSION_ID, SESSION_TAG

    client = _socket(running_bot)
    try:
        session = socket_session(client, requested.get("session_id"), requested.get("session_tag"))
        session_id = session["session_id"]
        assert SESSION_ID.fullmatch(session_id) and session_id != requested["session_id"]
        assert SESSION_TAG.fullmatch(session["session_tag"])
        # Replies reach the socket through the session's room: RasaHQ/rasa#13027 is fixed.
        client.emit("user_uttered", {"message": "Hvad er SPARK?", "session_id": requested["session_id"]})
        assert "Samarbejde om Psykisk ARbejdsmiljø" in _reply(client)["text"]
    finally:
        client.disconnect()
    # The reply reaches the socket before the turn's last actions (the source line, whether the form
    # starts) have run and the conversation is stored: wait for it.
    wait_until(
        lambda: (
            (running_bot.tracker(session_id, "socketio").get("latest_message") or {}).get("text") == "Hvad er SPARK?"
        ),
        what="the socket's own conversation holds the message",
    )
    assert not [e for e in running_bot.tracker("0" * 32, "socketio")["events"] if e["event"] == "user"]


def test_a_session_goes_on_with_its_tag_and_never_with_a_tampered_one(running_bot):
    first = _socket(running_bot)
    try:
        session = socket_session(first)
        first.emit("user_uttered", {"message": "Jeg er TR på et plejecenter i Vejle"})
        _reply(first)
    finally:
        first.disconnect()
    session_id, tag = session["session_id"], session["session_tag"]
    tampered = tag[:-1] + ("0" if tag[-1] != "0" else "1")

    again = _socket(running_bot)  # a reload: a new socket with the id and tag the page kept
    try:
        assert socket_session(again, session_id, tampered)["session_id"] != session_id
        assert socket_session(again, session_id, None)["session_id"] != session_id
        assert socket_session(again, session_id, tag) == session
        again.emit("user_uttered", {"message": "kun vores egen arbejdsplads"})
        _reply(again)
    finally:
        again.disconnect()
    slots = running_bot.tracker(session_id, "socketio")["slots"]
    assert slots["municipality"] == "Vejle" and slots["application_type"] == "enkelt"


def test_web_chat_messages_pass_the_shared_length_limit(running_bot):
    from bot.channels.guard import max_message_chars

    client = _socket(running_bot)
    try:
        session_id = socket_session(client)["session_id"]
        client.emit("user_uttered", {"message": "x" * (max_message_chars() + 1)})
        event, reply = client.receive(timeout=60)
        assert event == "bot_uttered" and "Din besked er for lang" in reply["text"]
    finally:
        client.disconnect()
    events = running_bot.tracker(session_id, "socketio")["events"]
    assert not [e for e in events if e["event"] == "user"], "an over-long message reached Rasa"


def test_two_applications_from_one_web_chat_session_and_a_double_yes_files_one_each(running_bot):
    import socketio

    script = [
        "Jeg er TR på et plejecenter i Vejle, og vi har meget vold fra borgerne",
        "kun vores egen arbejdsplads",
        "det er vores TRIO",
        "ja det passer",
        "ja, vi er enige",
        "ja det er vi klar til",
    ]
    contacts = [
        "Mette Hansen",
        "mette.hansen@vejle.dk",
        "spring over",
        "Lars Nielsen",
        "TR",
        "lars.nielsen@vejle.dk",
        "spring over",
    ]
    client = socketio.SimpleClient()
    client.connect(running_bot.stack.rasa_url, transports=["polling"], socketio_path="socket.io")

    def say(text: str) -> str:
        client.emit("user_uttered", {"message": text})
        replies = []
        while True:
            try:
                event, reply = client.receive(timeout=3 if replies else 60)
            except socketio.exceptions.TimeoutError:
                return "\n".join(replies)
            if event == "bot_uttered":
                replies.append(reply.get("text") or json.dumps(reply.get("custom") or {}, ensure_ascii=False))

    try:
        session_id = socket_session(client)["session_id"]
        for text in [*script, "Plejecenter Solgården", *contacts]:
            say(text)
        assert "SPARK-" in say("ja") and "allerede registreret" in say("ja")
        say("/start_application")  # the "Ny ansøgning" button; the form has started: the problem is its own answer
        for text in [*script[:3], "vi har meget vold fra borgerne", *script[3:], "Plejecenter Skovbrynet", *contacts]:
            say(text)
        assert "SPARK-" in say("ja") and "allerede registreret" in say("ja")
    finally:
        client.disconnect()
    records = running_bot.records_of(session_id, "socketio")
    assert [r["workplace"] for r in records] == ["Plejecenter Solgården", "Plejecenter Skovbrynet"]
