// Wizard niceties: a live character counter, and focus on the new step after an htmx swap.
(() => {
  const update = (textarea) => {
    const counter = document.querySelector(`[data-counter-for="${textarea.id}"]`);
    if (!counter) return;
    const max = Number(textarea.dataset.counter);
    const used = textarea.value.length;
    counter.textContent = `${used} / ${max} characters`;
    counter.classList.toggle("counter--over", used > max);
  };
  const init = (root) => root.querySelectorAll("textarea[data-counter]").forEach(update);

  document.addEventListener("input", (event) => {
    if (event.target.matches("textarea[data-counter]")) update(event.target);
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    init(event.target);
    // A step with errors: forms.js focuses the first of them instead.
    const title = event.target.querySelector("#step-title");
    if (title && !event.target.querySelector('[aria-invalid="true"], .form-errors')) title.focus();
  });
  init(document);
})();
