/* Arbejdsmiljøguiden web chat: a small widget on socket.io-client 4, no build step.
 *
 * Protocol (our socket.io channel, bot/channels/webchat.py): on every connect the page sends
 * `session_request` {session_id, session_tag} with the session it knows (or nulls); the server
 * answers `session_confirm` {session_id, session_tag} with the session to use: the same one when
 * the tag (the server's signature of the id) is valid, else a new one. The page sends
 * `user_uttered` {message, session_id} and gets `bot_uttered` {text, quick_replies?}.
 *
 * History: Rasa does not resend earlier messages, so the page keeps the conversation in
 * sessionStorage: it survives a reload but is gone when the tab closes (a shared computer
 * keeps no one's answers), and "Ny samtale" clears it at once.
 *
 * Every text from the user or the bot is put in the page with textContent / text nodes,
 * never as HTML; links are made from plain text and only with http(s) addresses.
 */
(function () {
  "use strict";

  var STORE_KEY = "arbejdsmiljoguiden.chat";
  var GREETING_PAYLOAD = "/greet";
  var REPLY_TIMEOUT_MS = 30000;

  var log = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var status = document.getElementById("status");
  var typing = document.getElementById("typing");
  var newChat = document.getElementById("new-chat");

  var state = load();
  var ready = false;
  var replyTimer = null;

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && Array.isArray(saved.messages)) {
        return { sessionId: saved.sessionId || null, sessionTag: saved.sessionTag || null,
                 messages: saved.messages, choices: saved.choices || null };
      }
    } catch (e) { /* unreadable or no storage: start afresh */ }
    return { sessionId: null, sessionTag: null, messages: [], choices: null };
  }

  function save() {
    try { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* storage full or off */ }
  }

  function setStatus(text) { status.textContent = text; }

  // -- rendering (text nodes only) ------------------------------------------------------

  // An e-mail (kept as text), a URL, a bare domain such as etf.dk, or a path on this server
  // such as /privatliv (only after a space, so "og/eller" stays text).
  var LINK = /[^\s@<>()"]+@[^\s@<>()"]+\.[a-z]{2,}|https?:\/\/[^\s<>"]+|www\.[^\s<>"]+|\b(?:[a-z0-9-]+\.)+(?:dk|eu|com|org|net)\b(?:\/[^\s<>"]*)?|(?<=^|\s)\/[a-z0-9æøå][a-z0-9æøå\/-]*/gi;
  var TRAILING = /[.,;:!?)»"']+$/;

  function safeHref(candidate) {
    if (candidate.charAt(0) === "/") { return new URL(candidate, window.location.origin).href; }
    var href = /^https?:\/\//i.test(candidate) ? candidate : "https://" + candidate;
    try {
      var url = new URL(href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }

  function appendWithLinks(parent, text) {
    var last = 0;
    text.replace(LINK, function (match, offset) {
      var trailing = (match.match(TRAILING) || [""])[0];
      var core = match.slice(0, match.length - trailing.length);
      var href = core.indexOf("@") === -1 ? safeHref(core) : null;
      if (!href || !core) { return match; }
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = document.createElement("a");
      link.href = href;
      link.textContent = core;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      parent.appendChild(link);
      last = offset + core.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function renderMessage(message) {
    var item = document.createElement("div");
    item.className = "msg " + (message.from === "user" ? "user" : "bot");
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = message.from === "user" ? "Du skrev: " : "Guiden: ";
    item.appendChild(who);
    var body = document.createElement("span");
    if (message.from === "user") {
      body.textContent = message.text;
    } else if (message.copy) {
      item.appendChild(renderCopyBlock(message.text));
      log.appendChild(item);
      return;
    } else {
      appendWithLinks(body, message.text);
    }
    item.appendChild(body);
    log.appendChild(item);
  }

  // The user's answers, ready to paste into the recipient's own form (custom.copy_text): shown as
  // text, with a button that copies it. Nothing of it is ever treated as markup.
  function renderCopyBlock(text) {
    var block = document.createElement("div");
    block.className = "copy-block";
    var pre = document.createElement("pre");
    pre.textContent = text;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "Kopiér teksten";
    button.addEventListener("click", function () {
      var settled = false;
      var done = function () { settled = true; button.textContent = "Kopieret"; setStatus("Teksten er kopieret."); };
      var fallback = function () { if (!settled) { settled = true; selectText(pre); } };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, fallback);
        setTimeout(fallback, 1500);  // a browser that neither copies nor refuses: select instead
      } else {
        fallback();
      }
    });
    block.appendChild(pre);
    block.appendChild(button);
    return block;
  }

  // Where the page may not write to the clipboard: select the text, so Ctrl-C copies it.
  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    setStatus("Teksten er markeret: kopiér den med Ctrl-C (eller Cmd-C).");
  }

  function renderChoices(choices) {
    var group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Svarmuligheder");
    choices.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = choice.title;
      button.addEventListener("click", function () {
        if (send(choice.title, choice.payload)) { input.focus(); }
      });
      group.appendChild(button);
    });
    log.appendChild(group);
  }

  function removeChoices() {
    var groups = log.querySelectorAll(".choices");
    for (var i = 0; i < groups.length; i++) { groups[i].remove(); }
  }

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function renderAll() {
    log.textContent = "";
    state.messages.forEach(renderMessage);
    if (state.choices && state.choices.length) { renderChoices(state.choices); }
    scrollToEnd();
  }

  // -- conversation ---------------------------------------------------------------------

  function waitForReply() {
    typing.hidden = false;
    clearTimeout(replyTimer);
    replyTimer = setTimeout(function () {
      typing.hidden = true;
      setStatus("Guiden svarer ikke lige nu. Prøv igen om lidt.");
    }, REPLY_TIMEOUT_MS);
  }

  function replyArrived() {
    typing.hidden = true;
    clearTimeout(replyTimer);
  }

  // Shows `shown` as the user's message and sends `payload` (a button's) or the text itself.
  function send(shown, payload) {
    if (!ready) {
      setStatus("Ikke forbundet endnu. Prøv igen om et øjeblik.");
      return false;
    }
    state.choices = null;
    removeChoices();
    state.messages.push({ from: "user", text: shown });
    save();
    renderMessage(state.messages[state.messages.length - 1]);
    scrollToEnd();
    socket.emit("user_uttered", { message: payload || shown, session_id: state.sessionId });
    waitForReply();
    return true;
  }

  function receive(reply) {
    replyArrived();
    if (reply && reply.custom && reply.custom.forgotten === true) { forgetHistory(); return; }
    if (reply && reply.custom && typeof reply.custom.copy_text === "string") {
      var copy = { from: "bot", text: reply.custom.copy_text, copy: true };
      state.messages.push(copy);
      save();
      renderMessage(copy);
      scrollToEnd();
      return;
    }
    if (!reply || typeof reply.text !== "string") { return; }  // images, other custom JSON: not used by this bot
    var message = { from: "bot", text: reply.text };
    state.messages.push(message);
    var buttons = Array.isArray(reply.quick_replies) ? reply.quick_replies : [];
    state.choices = buttons
      .filter(function (b) { return b && typeof b.title === "string" && typeof b.payload === "string"; })
      .map(function (b) { return { title: b.title, payload: b.payload }; });
    save();
    removeChoices();
    renderMessage(message);
    if (state.choices.length) { renderChoices(state.choices); }
    scrollToEnd();
  }

  // After "glem mig" the server has deleted the conversation: the tab's copy goes too, all
  // but the bot's confirmation that it was deleted.
  function forgetHistory() {
    var last = state.messages[state.messages.length - 1];
    state.messages = last && last.from === "bot" ? [last] : [];
    state.choices = null;
    save();
    renderAll();
  }

  function startOver() {
    if (!window.confirm("Vil du starte en ny samtale? Samtalen her bliver fjernet fra skærmen.")) { return; }
    state = { sessionId: null, sessionTag: null, messages: [], choices: null };
    save();
    renderAll();
    ready = false;
    socket.emit("session_request", { session_id: null, session_tag: null });
    input.focus();
  }

  // -- start ----------------------------------------------------------------------------

  renderAll();

  if (typeof window.io !== "function") {
    setStatus("Chatten kunne ikke starte. Prøv at genindlæse siden.");
    return;
  }

  // A websocket first: one connection stays with one server process, so several Sanic workers
  // need no sticky routing. Long-polling where a proxy blocks websockets.
  var socket = window.io({ path: "/socket.io", transports: ["websocket", "polling"], tryAllTransports: true });

  socket.on("connect", function () {
    ready = false;
    socket.emit("session_request", { session_id: state.sessionId, session_tag: state.sessionTag });
  });

  socket.on("session_confirm", function (session) {
    if (!session || typeof session.session_id !== "string") { return; }
    var sessionId = session.session_id;
    if (state.sessionId && state.sessionId !== sessionId) {
      // The server did not take our session: the history shown belongs to no conversation.
      state = { sessionId: null, sessionTag: null, messages: [], choices: null };
      renderAll();
    }
    state.sessionId = sessionId;
    state.sessionTag = session.session_tag;
    save();
    ready = true;
    input.disabled = false;
    sendButton.disabled = false;
    setStatus("");
    if (state.messages.length === 0) {
      socket.emit("user_uttered", { message: GREETING_PAYLOAD, session_id: sessionId });
      waitForReply();
    }
  });

  socket.on("bot_uttered", receive);

  socket.on("disconnect", function () {
    ready = false;
    setStatus("Forbindelsen blev afbrudt. Prøver igen …");
  });

  socket.on("connect_error", function () {
    setStatus("Kan ikke forbinde til guiden. Prøver igen …");
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { input.focus(); return; }
    if (send(text, null)) { input.value = ""; }
    input.focus();
  });

  newChat.addEventListener("click", startOver);
})();
