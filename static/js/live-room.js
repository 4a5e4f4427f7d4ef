// The live room: draws what the events socket says (session-events.js) and sends the
// participant's settings changes and prompt acknowledgements back.
(() => {
  const room = document.getElementById("live-room");
  if (!room) return;

  const $ = (selector, root = document) => root.querySelector(selector);
  // Labels come from the server (facilitation/services.py), so they are written once.
  const LABELS = JSON.parse(document.getElementById("live-labels").textContent);
  const AI_LABELS = LABELS.ai;
  const BALANCE_LABELS = LABELS.balance;
  const KIND_LABELS = LABELS.kinds;
  const promptSeconds = Number(room.dataset.promptSeconds || 20);
  const clockRate = Number(room.dataset.clockRate || 1);
  const prompts = $("[data-prompts]");
  const template = $("#prompt-template");

  // Timer: counts down locally, corrected by every time_remaining event.
  let remaining = null;
  if (room.dataset.endsAt) {
    const skew = Date.now() - Date.parse(room.dataset.serverNow);
    remaining = Math.max(0, (Date.parse(room.dataset.endsAt) + skew - Date.now()) / 1000);
  }
  const drawTimer = () => {
    const timer = $("[data-timer]");
    if (!timer || remaining === null) return;
    const whole = Math.max(0, Math.round(remaining));
    timer.textContent = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
    timer.classList.toggle("timer__value--low", whole <= 300);
  };
  window.setInterval(() => {
    if (remaining !== null && ["in_progress", "paused"].includes(room.dataset.status)) {
      remaining = Math.max(0, remaining - clockRate);
      drawTimer();
    }
  }, 1000);

  const setAiStatus = (status) => {
    const indicator = $("[data-ai-status]");
    indicator.dataset.aiStatus = status;
    $("[data-ai-label]").textContent = AI_LABELS[status] || status;
  };

  const drawBalance = (balance) => {
    if (!balance || !balance.participantA) return;
    const box = $("[data-balance]");
    box.dataset.status = balance.status;
    $("[data-balance-status]").textContent = BALANCE_LABELS[balance.status] || balance.status;
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

  const setSettings = (settings) => {
    Object.entries(settings || {}).forEach(([key, on]) => {
      const box = $(`[data-setting="${key}"]`);
      if (box) box.checked = Boolean(on);
    });
  };

  const clearPrompts = () => prompts.replaceChildren();

  const showPrompt = (intervention) => {
    if (prompts.querySelector(`[data-id="${intervention.id}"]`)) return;
    const card = template.content.firstElementChild.cloneNode(true);
    card.dataset.id = intervention.id;
    card.dataset.modality = intervention.modality;
    $("[data-kind]", card).textContent =
      `${KIND_LABELS[intervention.type] || "Facilitator"}${intervention.modality === "voice" ? " · spoken" : ""}`;
    $("[data-message]", card).textContent = intervention.message;
    const close = (action) => {
      if (action) {
        window.diadiEvents.send({
          type: "intervention_ack",
          data: { interventionId: intervention.id, action },
        });
      }
      card.remove();
    };
    card.querySelectorAll("[data-ack]").forEach((button) => {
      button.addEventListener("click", () => close(button.dataset.ack));
    });
    window.setTimeout(() => close(null), promptSeconds * 1000);
    prompts.append(card);
  };

  const on = (type, handler) =>
    document.body.addEventListener(`diadi:${type}`, (event) => handler(event.detail));

  on("session_state", (message) => {
    const data = message.data || {};
    if (data.status) room.dataset.status = data.status;
    if (data.balance) drawBalance(data.balance);
    if (data.settings) setSettings(data.settings);
    if (data.status === "paused") {
      setAiStatus("paused");
      clearPrompts();
    } else if (data.status === "in_progress" && message.seq !== undefined) {
      setAiStatus("listening");
    }
    if (data.status === "ended" || data.status === "archived") {
      window.location.assign($("#session-events").dataset.sessionUrl);
    }
  });
  on("balance_update", (message) => drawBalance(message.data));
  on("ai_status", (message) => setAiStatus(message.data.status));
  on("settings_changed", (message) => setSettings(message.data));
  on("time_remaining", (message) => {
    remaining = message.data.minutes * 60 + message.data.seconds;
    drawTimer();
  });
  on("participant_status", (message) => {
    const entry = $(`[data-person="${message.data.participantId}"]`);
    if (!entry) return;
    const speaking = message.data.status === "speaking";
    entry.classList.toggle("is-speaking", speaking);
    $("[data-speaking-label]", entry).textContent = speaking ? "speaking" : "";
  });
  on("intervention", (message) => {
    if (room.dataset.status === "in_progress") showPrompt(message.data);
  });

  document.querySelectorAll("[data-setting]").forEach((box) => {
    box.addEventListener("change", () => {
      const sent = window.diadiEvents.send({
        type: "update_settings",
        data: { [box.dataset.setting]: box.checked },
      });
      if (!sent) box.checked = !box.checked; // offline: nothing changed, show that
    });
  });
  drawTimer();
})();
