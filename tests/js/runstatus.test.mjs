// node --test: what the planner page says about a run (static/maps/js/lib/runstatus.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatElapsed, noWorkerWarning, runStatusText } from "../../static/maps/js/lib/runstatus.js";

test("elapsed time in seconds, then minutes and seconds", () => {
  assert.equal(formatElapsed(4.6), "5 秒");
  assert.equal(formatElapsed(125), "2 分 05 秒");
});

test("a pending run names its place in the queue and its status label", () => {
  const run = { id: 4, status: "pending", status_label: "排队中", progress: 0, elapsed_s: 65, queue_position: 2 };
  assert.equal(runStatusText(run), "分析 #4：排队中，队列第 2 位，已等待 1 分 05 秒");
});

test("a running run shows its progress; the label is the server's (user's language)", () => {
  const run = { id: 4, status: "running", status_label: "Running", progress: 35, elapsed_s: 12, queue_position: null };
  assert.equal(runStatusText(run), "分析 #4：Running（35%），已用时 12 秒");
});

test("no worker: a warning for a pending run only, none when runs execute at once", () => {
  assert.match(noWorkerWarning({ status: "pending", workers: 0 }), /没有分析进程/);
  assert.equal(noWorkerWarning({ status: "pending", workers: 1 }), null);
  assert.equal(noWorkerWarning({ status: "pending", workers: null }), null);
  assert.equal(noWorkerWarning({ status: "running", workers: 0 }), null);
});
