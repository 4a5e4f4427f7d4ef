// The recap page, live for both people. The recap socket (session-events.js) says when the
// recap changed (recap_updated: which part, and the new version) and, on connect and every
// ping, which version is current (recap_version). The part that changed is fetched again,
// except while someone has an edit form open in it: then it waits until that form is saved
// or closed, so nobody's half-typed words are swept away.
(() => {
  const printButton = document.querySelector("[data-print]");
  if (printButton) printButton.addEventListener("click", () => window.print());

  const root = document.getElementById("recap");
  if (!root || !window.htmx) return;

  const editing = (slot) => slot.querySelector("details[data-editor][open]") !== null;
  const slotFor = (part) =>
    root.querySelector(`[data-recap-part="${part}"]`) || root.querySelector('[data-recap-part="all"]');

  const refresh = (slot) => {
    if (!slot) return;
    if (editing(slot)) {
      slot.dataset.stale = "true";
      return;
    }
    delete slot.dataset.stale;
    window.htmx.trigger(slot, "recap:refresh");
  };

  const catchUp = () => {
    for (const slot of root.querySelectorAll("[data-recap-part][data-stale]")) refresh(slot);
  };

  // A version is "<recap id>.<change count>". An answer to a ping read before a change
  // committed may arrive after that change's announcement: it is old news, not a change.
  const older = (version, than) => {
    const [id, count] = version.split(".");
    const [thanId, thanCount] = (than || "").split(".");
    return id === thanId && Number(count) < Number(thanCount);
  };

  document.body.addEventListener("diadi:recap_updated", (event) => {
    const data = (event.detail && event.detail.data) || {};
    if (data.version && !older(data.version, root.dataset.version)) {
      root.dataset.version = data.version;
    }
    refresh(slotFor(data.part || "all"));
  });

  document.body.addEventListener("diadi:recap_version", (event) => {
    const version = ((event.detail && event.detail.data) || {}).version;
    if (!version || version === root.dataset.version || older(version, root.dataset.version)) {
      return;
    }
    root.dataset.version = version;
    refresh(slotFor("all"));
  });

  // A refresh asked for before an edit form opened may answer after it: that answer waits
  // too, rather than replace the form someone is typing in.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const slot = event.detail.target;
    const fetched = event.detail.requestConfig && event.detail.requestConfig.verb === "get";
    if (fetched && slot.matches("[data-recap-part]") && editing(slot)) {
      event.detail.shouldSwap = false;
      slot.dataset.stale = "true";
    }
  });

  // An edit form closed (toggle does not bubble: listen while it goes down) or a part was
  // swapped in: whatever changed meanwhile catches up.
  root.addEventListener("toggle", (event) => {
    if (event.target.matches("details[data-editor]") && !event.target.open) catchUp();
  }, true);
  document.body.addEventListener("htmx:afterSettle", catchUp);
})();
