// The live room: draws what the events socket says (session-events.js) and sends the
// participant's settings changes and prompt acknowledgements back. The page is drawn complete
// by the server (facilitation/room.py); this keeps it current.
(() => {
  const room = document.getElementById("live-room");
  if (!room) return;

  const $ = (selector, root = document) => root.querySelector(selector);
  // Every sentence comes from the server (facilitation/room.py), so it is written once.
  const LABELS = JSON.parse(document.getElementById("live-labels").textContent);
  const LIVE = ["in_progress", "paused"];
  const MICROPHONE_STATES = ["muted", "listening", "speaking", "disconnected"];
  const quietStartMs = Number(room.dataset.quietStartMs || 0);
  const durationSeconds = Number(room.dataset.durationSeconds || 0);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => values[key] ?? "");
  const nameOf = (id) => LABELS.names[id] || "";

  // Time. The session runs on its own clock: wall time since the start, times the clock rate
  // (demos play faster than life). Deadlines come from the server in its wall time; `skew`
  // turns them into this browser's.
  let rate = 1;
  let skew = 0;
  const at = (iso) => (iso ? Date.parse(iso) + skew : null);
  let endsAt = null;
  let closesAt = null;
  let startedAt = null;
  const setClock = (data) => {
    rate = Number(data.clockRate || 1);
    skew = Date.now() - Date.parse(data.serverNow);
    endsAt = at(data.endsAt);
    closesAt = at(data.closesAt);
    startedAt = at(data.startedAt);
  };
  setClock(room.dataset);
  const sessionSecondsUntil = (moment) => ((moment - Date.now()) / 1000) * rate;
  const elapsed = () => (startedAt === null ? 0 : Math.max(0, -sessionSecondsUntil(startedAt)));
  const clock = (seconds) => {
    const whole = Math.max(0, Math.round(seconds));
    return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
  };
  const ago = (seconds) => {
    const minutes = Math.floor(Math.max(0, seconds) / 60);
    if (minutes === 0) return "just now";
    return minutes === 1 ? "1 min ago" : `${minutes} min ago`;
  };

  const timeUpBox = () => $("[data-time-up]");
  const drawTime = () => {
    if (endsAt === null || !LIVE.includes(room.dataset.status)) return;
    const remaining = sessionSecondsUntil(endsAt);
    const up = remaining <= 0;
    $("[data-timer]").textContent = clock(remaining);
    $("[data-timer]").classList.toggle("timer__value--low", remaining <= 300);
    $("[data-timer-box]").classList.toggle("timer--up", up);
    const label = $("[data-timer-label]");
    label.textContent = up ? "time's up" : label.dataset.planned;
    const box = timeUpBox();
    if (box) {
      box.hidden = !up;
      if (up && closesAt !== null) $("[data-grace]", box).textContent = clock(sessionSecondsUntil(closesAt));
    }
    document.querySelectorAll("[data-history] [data-at]").forEach((item) => {
      if (item.dataset.at !== "") $("[data-ago]", item).textContent = ago(elapsed() - Number(item.dataset.at));
    });
  };
  window.setInterval(drawTime, 500);

  const notice = (text, refused = false) => {
    const box = $("[data-live-notice]");
    box.textContent = text;
    box.hidden = !text;
    box.classList.toggle("live__notice--refused", refused);
  };

  // The facilitator's card: what it is doing, and why.
  let aiStatus = $("[data-ai-status]").dataset.aiStatus;
  let lastPrompt = null; // {message, at}
  const drawAi = (status, pausedBy) => {
    aiStatus = status;
    $("[data-ai-status]").dataset.aiStatus = status;
    $("[data-ai-label]").textContent = LABELS.ai[status] || status;
    const details = LABELS.aiDetails;
    let detail;
    if (status === "paused") {
      detail = pausedBy ? fill(details.paused, { name: nameOf(pausedBy) }) : details.paused_anonymous;
    } else if (status === "preparing" || status === "intervening") {
      detail = details[status];
    } else if (lastPrompt) {
      detail = fill(details.last_prompt, { at: clock(lastPrompt.at), message: lastPrompt.message });
    } else if (elapsed() * 1000 < quietStartMs) {
      detail = fill(details.quiet_start, { minutes: Math.round(quietStartMs / 60000) });
    } else {
      detail = details.no_prompt;
    }
    $("[data-ai-detail]").textContent = detail;
  };

  const drawBalance = (balance) => {
    if (!balance || !balance.participantA) return;
    const box = $("[data-balance]");
    box.dataset.status = balance.status;
    $("[data-balance-status]").textContent = LABELS.balance[balance.status] || balance.status;
    const bar = $("[data-balance-bar]");
    bar.value = balance.participantA.percentage;
    const people = [balance.participantA, balance.participantB];
    bar.setAttribute("aria-label", people.map((p) => `${p.name} ${p.percentage}%`).join(", "));
    people.forEach((person) => {
      const entry = $(`[data-person="${person.id}"]`);
      if (!entry) return;
      $("[data-name]", entry).textContent = person.name;
      $("[data-percentage]", entry).textContent = `${person.percentage}%`;
    });
  };

  const setSpeaking = (entry, speaking) => {
    entry.classList.toggle("is-speaking", speaking);
    $("[data-speaking-label]", entry).textContent = speaking ? "speaking" : "";
  };
  const quietAll = () => document.querySelectorAll("[data-person]").forEach((e) => setSpeaking(e, false));

  // Settings. What the person sets goes to the server at most every SETTINGS_EVERY_MS, the
  // last value of each switch winning: quick flips stay under the socket's limit (2 a second,
  // past which it drops them) and the room always ends as the person left it.
  const SETTINGS_EVERY_MS = 600;
  let unsent = {};
  let settingsTimer = null;
  let settingsSentAt = 0;
  const confirmed = {}; // what the server last said each switch is
  document.querySelectorAll("[data-setting]").forEach((box) => {
    confirmed[box.dataset.setting] = box.checked;
  });
  const setSettings = (settings) => {
    Object.entries(settings || {}).forEach(([key, on]) => {
      if (!(key in confirmed)) return;
      confirmed[key] = Boolean(on);
      // A change of this person's on its way wins over what the server said before it.
      if (!(key in unsent)) $(`[data-setting="${key}"]`).checked = confirmed[key];
    });
  };
  const sendSettings = () => {
    settingsTimer = null;
    const data = unsent;
    unsent = {};
    settingsSentAt = Date.now();
    if (window.diadiEvents.send({ type: "update_settings", data })) return;
    // Offline: nothing changed, show that.
    Object.keys(data).forEach((key) => {
      $(`[data-setting="${key}"]`).checked = confirmed[key];
    });
    notice("You are offline for a moment: try again when the connection is back.", true);
  };

  // Prompts: the one waiting for an answer stays until one of you answers it (or a newer one
  // or a pause replaces it); the last few stay readable below.
  const slot = $("[data-prompt-slot]");
  const historyList = $("[data-history]");
  const current = () => $("[data-prompt]", slot);

  const toHistory = (intervention, ackNote) => {
    const existing = historyList.querySelector(`[data-id="${intervention.id}"]`);
    const item = existing || $("#history-template").content.firstElementChild.cloneNode(true);
    item.dataset.id = intervention.id;
    item.dataset.at = String(intervention.at ?? elapsed());
    $("[data-kind]", item).textContent = LABELS.kinds[intervention.type] || intervention.kind || "Facilitator";
    $("[data-message]", item).textContent = intervention.message;
    $("[data-ago]", item).textContent = ago(elapsed() - Number(item.dataset.at));
    $("[data-spoken]", item).hidden = intervention.spoken !== true;
    if (ackNote) {
      $("[data-ack-note]", item).textContent = ackNote;
      $("[data-ack-note]", item).hidden = false;
    }
    if (!existing) historyList.prepend(item);
    while (historyList.children.length > 3) historyList.lastElementChild.remove();
    $("[data-history-box]").hidden = false;
  };

  const shelveCurrent = (ackNote) => {
    const card = current();
    if (!card) return;
    toHistory(
      {
        id: card.dataset.id,
        at: card.dataset.at === undefined ? undefined : Number(card.dataset.at),
        kind: $("[data-kind]", card).textContent,
        message: $("[data-message]", card).textContent,
        spoken: !$("[data-spoken]", card).hidden,
      },
      ackNote,
    );
    card.remove();
  };

  const showPrompt = (intervention, at) => {
    if (current() && current().dataset.id === intervention.id) return;
    shelveCurrent("");
    const card = $("#prompt-template").content.firstElementChild.cloneNode(true);
    card.dataset.id = intervention.id;
    card.dataset.at = String(at);
    $("[data-kind]", card).textContent = LABELS.kinds[intervention.type] || "Facilitator";
    $("[data-spoken]", card).hidden = intervention.spoken !== true;
    $("[data-message]", card).textContent = intervention.message;
    slot.append(card);
    lastPrompt = { message: intervention.message, at };
  };

  slot.addEventListener("click", (event) => {
    const button = event.target.closest("[data-ack]");
    const card = current();
    if (!button || !card) return;
    const sent = window.diadiEvents.send({
      type: "intervention_ack",
      data: { interventionId: card.dataset.id, action: button.dataset.ack },
    });
    if (!sent) {
      notice("You are offline for a moment: try again when the connection is back.", true);
      return;
    }
    shelveCurrent(fill(LABELS.acks[button.dataset.ack], { name: nameOf(room.dataset.you) }));
  });

  // Just started: the server knows the start and the deadlines. Reading them from a fresh copy
  // of the page, rather than reloading it, keeps the microphone and the call joined.
  const startClock = async () => {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.statusText);
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      const drawn = fresh.getElementById("live-room");
      if (!drawn) throw new Error("no room");
      ["startedAt", "endsAt", "closesAt", "serverNow", "clockRate"].forEach((key) => {
        room.dataset[key] = drawn.dataset[key];
      });
      setClock(room.dataset);
      drawTime();
    } catch {
      notice("The session has started. Reload the page if the timer does not move.");
    }
  };

  const on = (type, handler) =>
    document.body.addEventListener(`diadi:${type}`, (event) => handler(event.detail));

  on("session_snapshot", (message) => {
    drawBalance((message.data || {}).balance);
    setSettings((message.data || {}).settings);
  });
  on("session_state", (message) => {
    const data = message.data || {};
    if (data.status) room.dataset.status = data.status;
    if (data.balance) drawBalance(data.balance);
    if (data.settings) setSettings(data.settings);
    if (data.status === "paused") {
      quietAll();
      shelveCurrent("");
      drawAi("paused", data.participantId);
    } else if (data.status === "in_progress" && message.seq !== undefined) {
      drawAi("listening");
    }
    if (data.status === "ended" || data.status === "archived") {
      window.location.assign($("#session-events").dataset.sessionUrl);
    } else if (data.previousStatus === "ready" && data.status === "in_progress") {
      startClock();
    }
  });
  on("balance_update", (message) => drawBalance(message.data));
  on("ai_status", (message) => {
    if (room.dataset.status !== "paused") drawAi(message.data.status);
  });
  on("settings_changed", (message) => setSettings(message.data));
  on("time_remaining", (message) => {
    if (endsAt !== null) return; // the deadline already tells, extra minutes included
    $("[data-timer]").textContent = clock(message.data.minutes * 60 + message.data.seconds);
  });
  on("time_extended", (message) => {
    const data = message.data;
    endsAt = at(data.endsAt);
    closesAt = at(data.closesAt);
    const label = $("[data-timer-label]");
    label.dataset.planned = `left of ${Math.round((durationSeconds + data.extraSeconds) / 60)} min`;
    const who = nameOf(data.participantId);
    notice(`${who ? `${who} asked for` : "You have"} ${data.minutes} more minutes.`);
    const box = timeUpBox();
    if (box) {
      $("[data-extend-box]", box).hidden = data.extensionsLeft < 1;
      $("[data-extensions-left]", box).textContent =
        data.extensionsLeft === 1 ? "Either of you can ask for this once more." : "";
    }
    drawTime();
  });
  on("participant_status", (message) => {
    const entry = $(`[data-person="${message.data.participantId}"]`);
    if (!entry) return;
    if (MICROPHONE_STATES.includes(message.data.status)) {
      $("[data-muted-label]", entry).hidden = message.data.status !== "muted";
    }
    if (room.dataset.status === "paused") return;
    setSpeaking(entry, message.data.status === "speaking");
  });
  on("intervention", (message) => {
    if (room.dataset.status === "in_progress") showPrompt(message.data, message.at ?? elapsed());
    drawAi(aiStatus);
  });
  on("intervention_ack", (message) => {
    const data = message.data;
    const note = fill(LABELS.acks[data.action] || "", { name: nameOf(data.participantId) });
    const card = current();
    if (card && card.dataset.id === data.interventionId) {
      shelveCurrent(note);
    } else {
      const item = historyList.querySelector(`[data-id="${data.interventionId}"]`);
      if (item) {
        $("[data-ack-note]", item).textContent = note;
        $("[data-ack-note]", item).hidden = false;
      }
    }
  });
  on("caption", (message) => {
    const box = $("[data-captions]");
    const line = document.createElement("p");
    line.className = "ai__caption";
    const who = nameOf(message.data.participantId);
    line.textContent = who ? `${who}: ${message.data.text}` : message.data.text;
    box.append(line);
    while (box.children.length > 2) box.firstElementChild.remove();
    box.hidden = false;
  });

  document.querySelectorAll("[data-setting]").forEach((box) => {
    box.addEventListener("change", () => {
      unsent[box.dataset.setting] = box.checked;
      if (settingsTimer !== null) return;
      const wait = Math.max(0, settingsSentAt + SETTINGS_EVERY_MS - Date.now());
      settingsTimer = window.setTimeout(sendSettings, wait);
    });
  });
  // What the server refused, in its own words (a prompt already answered, too many messages).
  on("error", (message) => notice((message.data || {}).message || "", true));

  // A button pressed by keyboard is replaced by the swap: focus its successor (or the part
  // that holds it), never the page. Swaps on the other person's press leave focus alone.
  let swappedOut = null;
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    // Two swaps can overlap (the button's own answer and the re-fetch its event causes):
    // only one that takes the focused element away decides, and only until it settles.
    if (target.contains(document.activeElement)) swappedOut = target.id || target;
  });
  document.body.addEventListener("htmx:afterSettle", () => {
    if (swappedOut === null) return;
    const scope = typeof swappedOut === "string" ? document.getElementById(swappedOut) : swappedOut;
    swappedOut = null;
    if (!scope) return;
    const next = scope.querySelector("[data-focus-after-swap]:not([hidden] *)");
    (next || scope.querySelector("[tabindex='-1']") || scope).focus();
  });

  const lastItem = historyList.querySelector("[data-at]");
  const open = current();
  if (open) lastPrompt = { message: $("[data-message]", open).textContent, at: Number(open.dataset.at || 0) };
  else if (lastItem) lastPrompt = { message: $("[data-message]", lastItem).textContent, at: Number(lastItem.dataset.at) };
  drawTime();
})();
