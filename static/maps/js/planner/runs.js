// Analyses queued from the page: post the form, follow the run (status in the user's
// language, queue position, elapsed time, a warning when no worker runs), cancel it,
// offer a requeue of a failed run.
import { getJSON, sendJSON } from "../lib/api.js";
import { urlFor } from "../lib/urls.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { noWorkerWarning, runStatusText } from "../lib/runstatus.js";
import { say } from "./ui.js";

const POLL_MS = 1000;

/** Queue an analysis, follow its progress, resolve with the finished run (or null). */
export async function queueAnalysis(urls, kind, body, statusEl, bar) {
  const res = await sendJSON("POST", urlFor(urls, "planner-analysis", { kind }), body);
  return followRun(urls, res, statusEl, bar);
}

function button(cls, text, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = text;
  b.onclick = onclick;
  return b;
}

/** A failed run can be queued again (same parameters): a button beside its error. */
function offerRequeue(urls, runId, statusEl, bar) {
  const b = button("requeue", gettext("重新排队"), async () => {
    b.disabled = true;
    const res = await sendJSON("POST", urlFor(urls, "analysis-run-requeue", { pk: runId }), {});
    await followRun(urls, res, statusEl, bar);
  });
  statusEl.append(" ", b);
}

/** The run's line, the no-worker warning and one cancel button, kept between polls
 * (a click is never lost to a redraw). */
function runView(urls, runId, statusEl) {
  const line = document.createElement("span");
  const warn = document.createElement("p");
  warn.className = "no-worker";
  const cancel = button("cancel-run", gettext("取消分析"), async () => {
    cancel.disabled = true;
    const res = await sendJSON("POST", urlFor(urls, "analysis-run-cancel", { pk: runId }), {});
    if (res.status !== 200) {
      warn.hidden = false;
      warn.textContent = res.body?.detail ?? JSON.stringify(res.body);
    }
  });
  say(statusEl, "");
  statusEl.append(line, " ", cancel, warn);
  return (run) => {
    const warning = noWorkerWarning(run);
    statusEl.className = `messages ${warning ? "warn" : ""}`;
    statusEl.dataset.status = run.status;
    document.body.dataset.runStatus = run.status;
    line.textContent = runStatusText(run);
    if (!cancel.disabled) cancel.hidden = !run.cancellable;
    warn.hidden = !warning && !warn.textContent;
    if (warning) warn.textContent = warning;
  };
}

async function followRun(urls, res, statusEl, bar) {
  if (res.status !== 202) {
    say(statusEl, res.body?.detail ?? JSON.stringify(res.body), "error");
    return null;
  }
  const runId = res.body.id;
  const show = runView(urls, runId, statusEl);
  bar.hidden = false;
  try {
    for (;;) {
      const run = await getJSON(urlFor(urls, "analysis-run", { pk: runId }));
      bar.value = run.progress;
      if (run.status === "done") return run;
      if (run.status === "failed" || run.status === "cancelled") {
        const text = run.status === "failed" ? interpolate(gettext("分析失败：%(error)s"), { error: run.error }) : run.error;
        say(statusEl, text, run.status === "failed" ? "error" : "warn");
        statusEl.dataset.status = run.status;
        document.body.dataset.runStatus = run.status;
        if (run.status === "failed") offerRequeue(urls, runId, statusEl, bar);
        return null;
      }
      show(run);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    bar.hidden = true;
  }
}
