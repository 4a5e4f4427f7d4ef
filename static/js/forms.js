// After a failed submit, focus goes to the first field that needs attention (on a page load or
// an htmx swap), so nobody has to hunt for an error far below the fold.
(() => {
  const focusFirstError = (root) => {
    const field = root.querySelector('[aria-invalid="true"]');
    const target = field || root.querySelector(".form-errors");
    if (!target) return;
    if (!field) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "center" });
  };
  document.addEventListener("DOMContentLoaded", () => focusFirstError(document));
  document.addEventListener("htmx:afterSwap", (event) => focusFirstError(event.target));
})();
