// Progressive enhancement only: the form works without this. A double tap sends one request;
// the server's idempotency key makes any second one harmless anyway.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("intake-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    const button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("aria-disabled", "true");
      button.textContent = button.dataset.sendingLabel || button.textContent;
    }
  });
});
