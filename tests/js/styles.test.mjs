// node --test: colours, ramps and legends (static/maps/js/lib/styles.js and the layers' own)
import assert from "node:assert/strict";
import { test } from "node:test";
import { IDLE_KIND_COLOURS, legendEntries, scoreColour, stageColour, walkStyle } from "../../static/maps/js/lib/styles.js";
import { blockColour, blockIndex } from "../../static/maps/js/lib/blocks.js";
import { coverageStyle, reachAndEnough } from "../../static/maps/js/lib/lifecircle.js";
import { lineWidth, matches } from "../../static/maps/js/lib/basemap.js";
import { boundsText } from "../../static/maps/js/lib/view.js";

test("score colours step at 40, 60, 80; no score is grey", () => {
  assert.equal(scoreColour(0), "#b71c1c");
  assert.equal(scoreColour(59.9), "#e64a19");
  assert.equal(scoreColour(80), "#9ccc65");
  assert.equal(scoreColour(100), "#2e7d32");
  assert.equal(scoreColour(null), "#bdbdbd");
  assert.equal(scoreColour(Number.NaN), "#bdbdbd");
});

test("an unknown stage gets the fallback colour", () => {
  assert.equal(stageColour("accepted"), "#1e88e5");
  assert.equal(stageColour("moon"), "#607d8b");
});

test("legend entries take the server's labels, else the key", () => {
  const entries = legendEntries(IDLE_KIND_COLOURS, { vacant: "空地" });
  assert.deepEqual(entries[0], ["空地", IDLE_KIND_COLOURS.vacant]);
  assert.deepEqual(entries[1], ["wasteland", IDLE_KIND_COLOURS.wasteland]);
});

test("walk segments: bridges blue, barriers red, arterials wide", () => {
  assert.equal(walkStyle({ properties: { kind: "bridge" } }).color, "#1565c0");
  assert.equal(walkStyle({ properties: { kind: "path", is_barrier: true } }).color, "#e53935");
  assert.equal(walkStyle({ properties: { kind: "arterial" } }).weight, 3);
});

test("block colours are deterministic and differ between neighbours", () => {
  assert.equal(blockIndex("R12-B007"), 7);
  assert.equal(blockIndex("R12-B007-S1"), 7 * 31 + 1);
  assert.equal(blockIndex(null), 0);
  assert.equal(blockColour(7), blockColour(7));
  assert.notEqual(blockColour(7), blockColour(8));
  assert.match(blockColour(3), /^#[0-9a-f]{6}$/);
});

test("coverage: a category's gaps colour by reach and by enough", () => {
  assert.equal(coverageStyle({ properties: { score: 90 } }).fillColor, scoreColour(90));
  assert.equal(coverageStyle({ properties: { category: "k", covered: false } }).fillColor, "#c62828");
  assert.equal(coverageStyle({ properties: { category: "k", covered: true, adequate: false } }).fillColor, "#ef6c00");
  const t = reachAndEnough([
    { properties: { residents: 100, covered: true, adequate: true, shortfall: 0, unit: "places" } },
    { properties: { residents: 300, covered: true, adequate: false, shortfall: 12.5, unit: "places" } },
    { properties: { residents: 50, covered: false, adequate: false, shortfall: 4, unit: "places" } },
  ]);
  assert.deepEqual(
    [t.communities, t.residents, t.reach, t.reachResidents, t.enough, t.enoughResidents, t.shortfall, t.capacity],
    [3, 450, 2, 400, 1, 100, 16.5, true],
  );
});

test("basemap rules match kind and road class; lines thin out at city zoom", () => {
  assert.ok(matches({ kind: "road", classes: ["primary"] }, { kind: "road", class: "primary" }));
  assert.ok(!matches({ kind: "road", classes: ["primary"] }, { kind: "road", class: "tertiary" }));
  assert.ok(!matches({ kind: "water" }, { kind: "park" }));
  assert.equal(lineWidth(4, 15), 4);
  assert.equal(lineWidth(4, 11), 1.6);
  assert.equal(lineWidth(1, 9), 1);
});

test("the published bounds are west,south,east,north", () => {
  assert.equal(boundsText(121.5, 29.8, 121.6, 29.9), "121.5000000,29.8000000,121.6000000,29.9000000");
});
