// chatserver chat page. One WebSocket = one conversation on the server; the JSON messages are the TCP protocol's:
//   out: {"token": "<prompt part>", "eog": false|true}   {"cancel": true}
//   in:  {"token": "<piece>", "eog": false} ... {"token": "", "eog": true, "error"?: "<reason>"}
//        "finish"?: "stop" | "length", "dropped"?: <turns dropped to fit the context>
// Model output is rendered as Markdown by markdown.js, which sanitizes the HTML before it reaches the page; user
// text is only ever inserted as text.
"use strict";

(() => {
  // The server's limits (from /api/info; these are its defaults): a message's UTF-8 bytes, and a prompt's characters
  // once its eog:false parts are joined. The page checks both before it sends, so the server never has to refuse.
  const limits = {maxMessageBytes: 65536, maxPromptChars: 65536};
  // Characters per prompt part: JSON may escape a character as \uXXXX (6 bytes) or UTF-8 take up to 3 bytes per
  // UTF-16 unit, so 6 bytes per character plus the object's own bytes always fit one message.
  const partChars = () => Math.max(1, Math.min(8000, Math.floor((limits.maxMessageBytes - 64) / 6)));
  const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10000];

  const $ = (id) => document.getElementById(id);
  const messages = $("messages");
  const conversation = $("conversation");
  const prompt = $("prompt");
  const sendButton = $("send");
  const stopButton = $("stop");
  const status = $("status");
  const statusText = $("status-text");

  let socket = null;          // the current WebSocket, or null while waiting to reconnect
  let answer = null;          // the assistant message being streamed, or null
  let attempt = 0;            // reconnect attempts since the last successful open
  let reconnectTimer = 0;
  let hadSession = false;     // a session was open before, so a reconnect starts a new one

  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  }

  function setStatus(state, text) {
    status.dataset.state = state;
    statusText.textContent = text;
    document.body.dataset.connection = state;
    updateControls();
  }

  function updateControls() {
    const open = socket !== null && socket.readyState === WebSocket.OPEN;
    const answering = answer !== null;
    sendButton.disabled = !open || answering || prompt.value.trim() === "";
    stopButton.hidden = !answering;
    stopButton.disabled = !answering || answer.cancelRequested;
  }

  // ---- connection -------------------------------------------------------------------------------------------

  function connect() {
    clearTimeout(reconnectTimer);
    setStatus("connecting", attempt === 0 ? "connecting…" : "reconnecting…");
    const ws = new WebSocket(socketUrl());
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      if (hadSession) notice("Connected again: this is a new conversation on the server.");
      hadSession = true;
      attempt = 0;
      setStatus("open", "connected");
      loadInfo();
    };
    ws.onmessage = (event) => {
      if (socket === ws) receive(event.data);
    };
    ws.onclose = () => {
      if (socket !== ws) return;    // a socket we replaced on purpose ("New chat")
      socket = null;
      if (answer) finishAnswer("error", "connection lost");
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
      attempt++;
      setStatus("closed", "disconnected, retrying in " + Math.ceil(delay / 1000) + " s");
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  function newChat() {
    const old = socket;
    socket = null;
    answer = null;
    if (old) old.close(1000, "new chat");
    messages.replaceChildren(emptyState);
    hadSession = false;
    attempt = 0;
    connect();
    prompt.focus();
  }

  function receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!answer || typeof message !== "object" || message === null) return;
    if (typeof message.token === "string" && message.token !== "") {
      answer.text += message.token;
      scheduleRender(answer);
    }
    if (message.eog === true) {
      if (Number.isInteger(message.dropped) && message.dropped > 0) answer.dropped = message.dropped;
      if (message.finish === "length") answer.cut = true;
      if (typeof message.error === "string" && message.error !== "") {
        finishAnswer(answer.cancelRequested ? "cancelled" : "error", message.error);
      } else {
        finishAnswer(answer.cancelRequested ? "cancelled" : "done", "");
      }
    }
  }

  // ---- sending ----------------------------------------------------------------------------------------------

  function send() {
    const text = prompt.value;
    if (text.trim() === "" || answer !== null || !socket || socket.readyState !== WebSocket.OPEN) return;
    if (text.length > limits.maxPromptChars) {
      notice("Not sent: the message has " + text.length + " characters, the server takes at most "
        + limits.maxPromptChars + ".");
      return;
    }
    addMessage("user", text);
    answer = startAnswer();
    const parts = [];
    const size = partChars();
    for (let start = 0; start < text.length;) {
      let end = Math.min(text.length, start + size);
      const code = text.charCodeAt(end - 1);
      if (end < text.length && code >= 0xD800 && code <= 0xDBFF) end--;   // keep surrogate pairs together
      parts.push(text.slice(start, end));
      start = end;
    }
    parts.forEach((part, i) => socket.send(JSON.stringify({token: part, eog: i === parts.length - 1})));
    prompt.value = "";
    autoGrow();
    updateControls();
  }

  function stop() {
    if (!answer || answer.cancelRequested || !socket) return;
    answer.cancelRequested = true;
    socket.send(JSON.stringify({cancel: true}));
    updateControls();
  }

  // ---- rendering --------------------------------------------------------------------------------------------

  const emptyState = $("empty");

  function addMessage(role, text) {
    emptyState.remove();
    const item = document.createElement("div");
    item.className = "message " + role;
    item.dataset.role = role;
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    item.append(bubble);
    if (role === "user") {
      bubble.textContent = text;
      item.dataset.state = "done";
    }
    item.chatRaw = text;        // the exact text, for readers that need it unrendered
    messages.append(item);
    scrollToEnd(true);
    return item;
  }

  function startAnswer() {
    const item = addMessage("assistant", "");
    item.dataset.state = "streaming";
    return {item, bubble: item.querySelector(".bubble"), text: "", cancelRequested: false, frame: 0, cut: false,
      dropped: 0};
  }

  function finishAnswer(state, reason) {
    const current = answer;
    answer = null;
    cancelAnimationFrame(current.frame);
    render(current);
    current.item.dataset.state = state;
    if (current.text === "") current.bubble.remove();     // stopped or refused before any text: no empty bubble
    const notes = [];
    if (current.dropped > 0) {
      notes.push(["dropped", current.dropped + (current.dropped === 1 ? " earlier turn" : " earlier turns")
        + " dropped to fit the context window"]);
    }
    if (state === "cancelled") notes.push(["stopped", "stopped"]);
    else if (state === "error") notes.push(["error", "error: " + reason]);
    else if (current.cut) notes.push(["length", "stopped: max tokens"]);
    for (const [kind, text] of notes) {
      const meta = document.createElement("div");
      meta.className = "meta";
      meta.dataset.note = kind;
      meta.textContent = text;
      current.item.append(meta);
    }
    updateControls();
  }

  function scheduleRender(target) {
    if (target.frame) return;
    target.frame = requestAnimationFrame(() => {
      target.frame = 0;
      render(target);
    });
  }

  // The whole answer so far, as Markdown, at most once per frame while it streams (an unclosed ``` fence shows
  // as a code block up to the end).
  function render(target) {
    const follow = nearEnd();
    target.item.chatRaw = target.text;
    target.item.dataset.renders = String(Number(target.item.dataset.renders || 0) + 1);
    ChatMarkdown.render(target.bubble, target.text);
    scrollToEnd(follow);
  }

  function notice(text) {
    const line = document.createElement("div");
    line.className = "notice";
    line.textContent = text;
    messages.append(line);
    scrollToEnd(true);
  }

  function nearEnd() {
    return conversation.scrollHeight - conversation.scrollTop - conversation.clientHeight < 80;
  }

  function scrollToEnd(follow) {
    if (follow) conversation.scrollTop = conversation.scrollHeight;
  }

  function autoGrow() {
    prompt.style.height = "auto";
    prompt.style.height = Math.min(prompt.scrollHeight, window.innerHeight * 0.4) + "px";
  }

  // ---- model information ------------------------------------------------------------------------------------

  function count(n) {
    if (n >= 1e9) return (n / 1e9).toFixed(1).replace(/\.0$/, "") + "B";
    if (n >= 1e6) return (n / 1e6).toFixed(1).replace(/\.0$/, "") + "M";
    if (n >= 1e3) return (n / 1e3).toFixed(1).replace(/\.0$/, "") + "K";
    return String(n);
  }

  async function loadInfo() {
    try {
      const response = await fetch("/api/info", {cache: "no-store"});
      if (!response.ok) return;
      const info = await response.json();
      if (Number.isInteger(info.maxMessageBytes)) limits.maxMessageBytes = info.maxMessageBytes;
      if (Number.isInteger(info.maxPromptChars)) limits.maxPromptChars = info.maxPromptChars;
      $("model-name").textContent = info.modelName;
      document.title = info.modelName + " · chatserver";
      $("model-details").textContent = [
        info.architecture,
        count(info.parameters) + " params",
        count(info.contextPerSession) + " context",
        info.parallelSequences + " parallel chats",
        "max " + info.maxTokens + " tokens",
      ].join(" · ");
    } catch {
      // the status indicator already tells that the server is unreachable
    }
  }

  // ---- wiring -----------------------------------------------------------------------------------------------

  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  prompt.addEventListener("input", () => {
    autoGrow();
    updateControls();
  });
  stopButton.addEventListener("click", stop);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && answer !== null && !event.isComposing) {
      event.preventDefault();
      stop();
    }
  });
  $("new-chat").addEventListener("click", newChat);

  loadInfo();
  connect();
})();
