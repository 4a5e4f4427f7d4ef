// The events websocket of one session (spec §6.2): reconnects with backoff, resumes from the
// last seq it saw, and re-dispatches each message as a DOM event "diadi:<type>" on <body>,
// which htmx triggers and page scripts listen to.
(() => {
  const root = document.getElementById("session-events");
  if (!root) return;

  const banner = document.querySelector("[data-connection-banner]");
  const DELAYS = [500, 1000, 2000, 4000, 8000, 15000];
  const PING_EVERY = 20000;
  const FINAL_CLOSES = {
    4001: "You are no longer signed in to this session. Reload the page.",
    4004: "This session is no longer available.",
  };
  let lastSeq = Number(root.dataset.lastSeq || 0);
  let attempt = 0;
  let socket = null;
  let pingTimer = null;
  let stopped = false;

  const showBanner = (text) => {
    if (!banner) return;
    banner.textContent = text;
    banner.hidden = false;
  };
  const hideBanner = () => {
    if (banner) banner.hidden = true;
  };

  const dispatch = (message) => {
    const detail = message;
    document.body.dispatchEvent(new CustomEvent(`diadi:${message.type}`, { detail }));
    document.body.dispatchEvent(new CustomEvent("diadi:event", { detail }));
  };

  const receive = (raw) => {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (message.type === "pong") return;
    if (typeof message.seq === "number") {
      if (message.seq <= lastSeq) return; // already seen: replay and broadcast can overlap
      lastSeq = message.seq;
      root.dataset.lastSeq = String(lastSeq);
    }
    if (message.type === "session_state" && message.data && message.data.status === "deleted") {
      stopped = true;
      window.location.assign(root.dataset.deletedUrl || "/");
      return;
    }
    if (message.type === "session_state" && message.data && message.data.status) {
      // The snapshot on (re)connecting re-draws the page only if the status moved meanwhile;
      // otherwise it is "session_snapshot", so nothing swaps under a hand about to click.
      const moved = message.data.status !== root.dataset.status;
      root.dataset.status = message.data.status;
      if (message.seq === undefined && !moved) {
        dispatch({ ...message, type: "session_snapshot" });
        return;
      }
    }
    dispatch(message);
  };

  const connect = () => {
    const target = new URL(root.dataset.eventsUrl, window.location.href);
    target.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    if (lastSeq > 0) target.searchParams.set("after", String(lastSeq));
    socket = new WebSocket(target);
    socket.addEventListener("open", () => {
      attempt = 0;
      hideBanner();
      root.dataset.connected = "true";
      document.body.dispatchEvent(new CustomEvent("diadi:events_connected"));
      pingTimer = window.setInterval(() => send({ type: "ping" }), PING_EVERY);
    });
    socket.addEventListener("message", (event) => receive(event.data));
    socket.addEventListener("close", (event) => {
      window.clearInterval(pingTimer);
      root.dataset.connected = "false";
      if (stopped) return;
      if (event.code in FINAL_CLOSES) {
        stopped = true;
        showBanner(FINAL_CLOSES[event.code]);
        return;
      }
      if (event.code === 4003) {
        stopped = true; // the session ended: nothing more will come
        return;
      }
      const delay = DELAYS[Math.min(attempt, DELAYS.length - 1)] * (0.8 + Math.random() * 0.4);
      attempt += 1;
      showBanner("Connection lost. Reconnecting…");
      window.setTimeout(connect, delay);
    });
  };

  const send = (message) => {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    return false;
  };

  window.diadiEvents = {
    send,
    get lastSeq() {
      return lastSeq;
    },
    // For tests and debugging: drop the socket as a network failure would.
    drop() {
      if (socket) socket.close(4000, "dropped");
    },
  };
  connect();
})();
