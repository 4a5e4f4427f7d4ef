// The session page follows the session: when either person starts it, both go to the live room.
(() => {
  const root = document.getElementById("session-events");
  if (!root || !root.dataset.liveUrl) return;
  document.body.addEventListener("diadi:session_state", (event) => {
    const message = event.detail;
    const data = message.data || {};
    // Only the start itself (a logged event), not the snapshot of a session already under way.
    if (message.seq !== undefined && data.status === "in_progress" && data.previousStatus === "ready") {
      window.location.assign(root.dataset.liveUrl);
    }
  });
})();
