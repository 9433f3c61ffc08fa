// node --test: sorting of the result tables (static/maps/js/lib/tables.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareCells, nextSort } from "../../static/maps/js/lib/tables.js";

test("numbers sort numerically, not as text", () => {
  assert.deepEqual(["10", "9", "100"].sort(compareCells), ["9", "10", "100"]);
});

test("text sorts in Chinese collation (pinyin)", () => {
  assert.deepEqual(["张家", "安居", "白云"].sort(compareCells), ["安居", "白云", "张家"]);
});

test("a new key sorts ascending, the same key flips", () => {
  assert.deepEqual(nextSort({ key: "score", asc: true }, "name"), { key: "name", asc: true });
  assert.deepEqual(nextSort({ key: "name", asc: true }, "name"), { key: "name", asc: false });
  assert.deepEqual(nextSort({ key: "name", asc: false }, "name"), { key: "name", asc: true });
});
