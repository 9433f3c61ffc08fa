// node --test: colours, ramps and legends (static/maps/js/lib/styles.js and the layers' own)
import assert from "node:assert/strict";
import { test } from "node:test";
import { communityStyle, idleLandStyle, legendEntries, walkStyle } from "../../static/maps/js/lib/styles.js";
import { STAGE_COLOURS, blockColour, stageColour } from "../../static/maps/js/lib/themes.js";
import { blockIndex, blockStyle } from "../../static/maps/js/lib/blocks.js";
import { coverageColour, gapsForTheme, reachAndEnough, themeForGaps } from "../../static/maps/js/lib/lifecircle.js";
import { lineWidth, matches } from "../../static/maps/js/lib/basemap.js";
import { boundsText } from "../../static/maps/js/lib/view.js";

test("an unknown stage gets the fallback colour", () => {
  assert.equal(stageColour("accepted"), STAGE_COLOURS.accepted);
  assert.equal(stageColour("moon"), "#969696");
});

test("legend entries take the server's labels, else the key", () => {
  const entries = legendEntries(STAGE_COLOURS, { not_started: "未启动" });
  assert.deepEqual(entries[0], ["未启动", STAGE_COLOURS.not_started]);
  assert.deepEqual(entries[1], ["applied", STAGE_COLOURS.applied]);
});

test("GeoJSON communities fill by stage under the stage theme only; idle land never fills", () => {
  const f = { properties: { stage: "accepted" } };
  assert.equal(communityStyle(f, "stage").fillColor, STAGE_COLOURS.accepted);
  assert.ok(communityStyle(f, "stage").fillOpacity > 0);
  assert.equal(communityStyle(f, "score").fillOpacity, 0);
  assert.equal(idleLandStyle().fillOpacity, 0);
});

test("walk segments: bridges blue, barriers red, arterials wide", () => {
  assert.equal(walkStyle({ properties: { kind: "bridge" } }).color, "#1565c0");
  assert.equal(walkStyle({ properties: { kind: "path", is_barrier: true } }).color, "#e53935");
  assert.equal(walkStyle({ properties: { kind: "arterial" } }).weight, 3);
});

test("block colours are deterministic and differ between neighbours; filled under their theme only", () => {
  assert.equal(blockIndex("R12-B007"), 7);
  assert.equal(blockIndex("R12-B007-S1"), 7 * 31 + 1);
  assert.equal(blockIndex(null), 0);
  assert.equal(blockColour(7), blockColour(7));
  assert.notEqual(blockColour(7), blockColour(8));
  assert.match(blockColour(3), /^#[0-9a-f]{6}$/);
  const f = { properties: { code: "R1-B003", status: "accepted" } };
  assert.ok(blockStyle(f, "blocks").fillOpacity > 0);
  assert.equal(blockStyle(f, "blocks").color, blockColour(3));
  assert.equal(blockStyle(f, "stage").fillOpacity, 0);
  assert.equal(blockStyle(f, "stage").dashArray, null);
  assert.equal(blockStyle({ properties: { code: "R1-B003", status: "proposed" } }, "stage").dashArray, "6 4");
});

test("coverage: a category's gaps colour by reach (有没有) and by enough (够不够)", () => {
  assert.equal(coverageColour({ score: 90 }, "score"), "#253494");
  assert.equal(coverageColour({ score: 90 }, "capacity"), "#7a0177");
  assert.equal(coverageColour({ score: 90 }, "stage"), null);
  const short = { category: "k", covered: true, adequate: false };
  assert.equal(coverageColour(short, "score"), "#253494"); // within reach
  assert.equal(coverageColour(short, "capacity"), "#f768a1"); // but not enough
  assert.equal(coverageColour({ category: "k", covered: false, adequate: false }, "capacity"), "#feebe2");
  assert.equal(coverageColour({ category: "k", covered: false }, "score"), "#ffffcc");
  assert.equal(themeForGaps("capacity"), "capacity");
  assert.equal(themeForGaps("distance"), "score");
  assert.equal(gapsForTheme("capacity"), "capacity");
  assert.equal(gapsForTheme("score"), "distance");
  assert.equal(gapsForTheme("blocks"), null);
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
