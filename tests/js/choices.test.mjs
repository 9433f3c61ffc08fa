// node --test: choice labels from the server's JSON (static/maps/js/lib/choices.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { choiceEntries, choiceLabel } from "../../static/maps/js/lib/choices.js";

const CONFIG = { choices: { "idle_land.kind": { vacant: "空地", corner: "边角地" } } };

test("labels a value from its choice list", () => {
  assert.equal(choiceLabel(CONFIG, "idle_land.kind", "corner"), "边角地");
});

test("an unknown value or list shows the value itself", () => {
  assert.equal(choiceLabel(CONFIG, "idle_land.kind", "moon"), "moon");
  assert.equal(choiceLabel(CONFIG, "x.y", "vacant"), "vacant");
  assert.equal(choiceLabel({}, "idle_land.kind", "vacant"), "vacant");
});

test("entries keep the server's order", () => {
  assert.deepEqual(choiceEntries(CONFIG, "idle_land.kind"), [["vacant", "空地"], ["corner", "边角地"]]);
  assert.deepEqual(choiceEntries(CONFIG, "none"), []);
});
