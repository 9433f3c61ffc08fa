// Upload page: submit without leaving the page, so the chosen file stays selected while
// the planner checks the detected field mapping, changes it and runs again. The server
// renders everything; this only swaps the report and the mapping table in place, and
// shows the layer the server chose.
const form = document.getElementById("import-form");

function swap(doc, id) {
  const fresh = doc.getElementById(id);
  const old = document.getElementById(id);
  if (fresh && old) old.replaceWith(fresh);
}

async function submit(event) {
  event.preventDefault();
  const body = new FormData(form, event.submitter);
  document.body.dataset.importBusy = "1";
  try {
    // not form.action: the buttons named "action" shadow that property
    const response = await fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body,
      credentials: "same-origin",
    });
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    swap(doc, "import-feedback");
    swap(doc, "mapping-panel");
    // the layer the server chose from the file's geometries (empty choice) is kept
    const layer = doc.querySelector("#import-form select[name=layer]");
    if (layer && form.elements.layer) form.elements.layer.value = layer.value;
  } catch (err) {
    // network failure: fall back to an ordinary submission
    console.error(err);
    form.removeEventListener("submit", submit);
    form.requestSubmit(event.submitter);
  } finally {
    delete document.body.dataset.importBusy;
  }
}

if (form && window.fetch && window.DOMParser) form.addEventListener("submit", submit);
