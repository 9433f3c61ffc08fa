// What a page says about an analysis run while it waits or runs: the status in the
// user's language, its place in the queue, the time since it was queued, and a plain
// warning when no analysis worker is running (the run would wait forever).
import { gettext, interpolate } from "./i18n.js";

/** "45 秒" / "2 分 05 秒" (English: "45 s" / "2 min 05 s"). */
export function formatElapsed(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return interpolate(gettext("%(sec)s 秒"), { sec: s });
  return interpolate(gettext("%(min)s 分 %(sec)s 秒"), { min: Math.floor(s / 60), sec: String(s % 60).padStart(2, "0") });
}

/** The line shown for a run (the JSON of /api/runs/<pk>/). */
export function runStatusText(run) {
  const args = { id: run.id, status: run.status_label ?? run.status, progress: run.progress, elapsed: formatElapsed(run.elapsed_s), position: run.queue_position };
  if (run.status === "pending" && run.queue_position) return interpolate(gettext("分析 #%(id)s：%(status)s，队列第 %(position)s 位，已等待 %(elapsed)s"), args);
  if (run.status === "running") return interpolate(gettext("分析 #%(id)s：%(status)s（%(progress)s%），已用时 %(elapsed)s"), args);
  return interpolate(gettext("分析 #%(id)s：%(status)s，用时 %(elapsed)s"), args);
}

/** The warning when nothing will run it, or null: a pending run and no living worker
 * (``workers`` is null when runs execute at once, in the request). */
export function noWorkerWarning(run) {
  if (run.status !== "pending" || run.workers !== 0) return null;
  return gettext("没有分析进程在运行：这个分析不会开始。请联系管理员启动分析进程（manage.py analysis_worker），或取消此分析。");
}
