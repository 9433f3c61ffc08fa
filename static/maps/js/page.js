// Behaviour of every page (base.html), here instead of inline handlers (Content-Security-Policy).
for (const select of document.querySelectorAll("select.submit-on-change")) {
  select.addEventListener("change", () => select.form.submit());
}
