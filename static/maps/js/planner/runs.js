// Analyses queued from the page: post the form, follow the run's progress, offer a requeue
// of a failed run.
import { getJSON, sendJSON } from "../lib/api.js";
import { urlFor } from "../lib/urls.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { say } from "./ui.js";

const POLL_MS = 1000;

/** Queue an analysis, follow its progress, resolve with the finished run (or null). */
export async function queueAnalysis(urls, kind, body, statusEl, bar) {
  const res = await sendJSON("POST", urlFor(urls, "planner-analysis", { kind }), body);
  return followRun(urls, res, statusEl, bar);
}

/** A failed run can be queued again (same parameters): a button beside its error. */
function offerRequeue(urls, runId, statusEl, bar) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "requeue";
  button.textContent = gettext("重新排队");
  button.onclick = async () => {
    button.disabled = true;
    const res = await sendJSON("POST", urlFor(urls, "analysis-run-requeue", { pk: runId }), {});
    await followRun(urls, res, statusEl, bar);
  };
  statusEl.append(" ", button);
}

async function followRun(urls, res, statusEl, bar) {
  if (res.status !== 202) {
    say(statusEl, res.body?.detail ?? JSON.stringify(res.body), "error");
    return null;
  }
  const runId = res.body.id;
  bar.hidden = false;
  try {
    for (;;) {
      const run = await getJSON(urlFor(urls, "analysis-run", { pk: runId }));
      bar.value = run.progress;
      say(statusEl, interpolate(gettext("分析 #%(id)s：%(status)s（%(progress)s%）"), { id: runId, status: run.status, progress: run.progress }));
      if (run.status === "done") return run;
      if (run.status === "failed") {
        say(statusEl, interpolate(gettext("分析失败：%(error)s"), { error: run.error }), "error");
        offerRequeue(urls, runId, statusEl, bar);
        return null;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    bar.hidden = true;
  }
}
