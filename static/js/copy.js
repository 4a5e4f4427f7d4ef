// Copy buttons: <button data-copy="#selector">, with a polite status message.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  const status = document.querySelector("[data-copy-status]");
  if (!source) return;
  let copied = false;
  try {
    await navigator.clipboard.writeText(source.value);
    copied = true;
  } catch {
    source.select();  // No clipboard permission: leave it selected for Ctrl+C.
  }
  if (status) status.textContent = copied ? "Copied." : "Selected: press Ctrl+C (or ⌘C) to copy.";
});
