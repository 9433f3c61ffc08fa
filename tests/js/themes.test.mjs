// node --test: the maps' themes, palettes, legend and layer order (static/maps/js/lib/
// themes.js, order.js) — one theme fills the communities at a time, no theme's colour is
// near another theme's, the legend follows the layers on the map, one order for all.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  BLOCK_COLOURS,
  CAPACITY_CLASSES,
  MARKS,
  NO_FILL,
  PARKING_CLASSES,
  SCORE_CLASSES,
  STAGE_COLOURS,
  THEMES,
  classColour,
  classEntries,
  communityFill,
  fills,
  legendSections,
  parkingColour,
  parkingShare,
  resultFill,
  rgba,
  themeSection,
} from "../../static/maps/js/lib/themes.js";
import { compareOverlays, paintOrder, paneZ, rankOf } from "../../static/maps/js/lib/order.js";

/** CIE L*a*b* of "#rrggbb" (sRGB, D65). */
function lab(hex) {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const x = (r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047;
  const y = r * 0.2126 + g * 0.7152 + b * 0.0722;
  const z = (r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883;
  const f = (t) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
/** ΔE*ab (CIE76): about 2.3 is just noticeable; above 10 two colours read as different. */
function deltaE(a, b) {
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

const PALETTES = {
  stage: Object.values(STAGE_COLOURS),
  score: SCORE_CLASSES.map(([, c]) => c),
  capacity: CAPACITY_CLASSES.map(([, c]) => c),
  blocks: BLOCK_COLOURS,
  parking: PARKING_CLASSES.map(([, c]) => c),
};

test("no theme's colour is near a colour of another theme (ΔE ≥ 14)", () => {
  const names = Object.keys(PALETTES);
  let worst = Infinity;
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) {
      for (const ca of PALETTES[a]) {
        for (const cb of PALETTES[b]) {
          assert.ok(deltaE(ca, cb) >= 14, `${a} ${ca} ~ ${b} ${cb}: ΔE ${deltaE(ca, cb).toFixed(1)}`);
          worst = Math.min(worst, deltaE(ca, cb));
        }
      }
    }
  }
  assert.ok(worst < 20); // the bound above is what the palettes reach, not a loose one
});

test("the complaint's colours: post-evaluated green and in-annual-plan red are no score's", () => {
  for (const c of [...PALETTES.score, ...PALETTES.capacity]) {
    assert.ok(deltaE(STAGE_COLOURS.post_evaluated, c) >= 14, c);
    assert.ok(deltaE(STAGE_COLOURS.in_annual_plan, c) >= 14, c);
  }
});

test("the classes of one theme are told apart (ΔE ≥ 15 within a palette)", () => {
  for (const [name, colours] of Object.entries(PALETTES)) {
    for (const [i, a] of colours.entries()) {
      for (const b of colours.slice(i + 1)) assert.ok(deltaE(a, b) >= 15, `${name}: ${a} ~ ${b}`);
    }
  }
});

test("one theme fills the communities at a time", () => {
  for (const t of THEMES) {
    const filled = ["communities", "lifecircle", "blocks"].filter((layer) => fills(t.key, layer));
    assert.deepEqual(filled, [t.layer]);
  }
  const p = { stage: "post_evaluated" };
  assert.equal(communityFill(p, "stage"), rgba(STAGE_COLOURS.post_evaluated, 0.7));
  for (const theme of ["score", "capacity", "blocks"]) assert.equal(communityFill(p, theme), NO_FILL);
  assert.equal(resultFill(90, "stage"), NO_FILL);
  assert.equal(resultFill(90, "blocks"), NO_FILL);
  assert.equal(resultFill(90, "score"), rgba("#253494", 0.7));
  assert.equal(resultFill(90, "capacity"), rgba("#7a0177", 0.7));
  assert.equal(resultFill(null, "score"), NO_FILL); // no score: the outline only
  assert.equal(resultFill(null, "capacity", { covered: true, adequate: false }), rgba("#f768a1", 0.7));
});

test("the parking theme: the shortage's share of the demand, unsurveyed unfilled", () => {
  assert.equal(parkingShare({ parking_gap: 40, parking_demand: 100 }), 0.4);
  assert.equal(parkingShare({ parking_gap: -20, parking_demand: 100 }), 0);
  assert.equal(parkingShare({ parking_gap: 5, parking_demand: 0 }), 1);
  assert.equal(parkingShare({ parking_gap: null, parking_demand: 100 }), null);
  assert.equal(parkingShare({ parking_demand: 100 }), null);
  assert.equal(parkingColour({ parking_gap: 40, parking_demand: 100 }), "#a50f15");
  assert.equal(parkingColour({ parking_gap: 39, parking_demand: 100 }), "#fb6a4a");
  assert.equal(parkingColour({ parking_gap: 1, parking_demand: 100 }), "#fdb863");
  assert.equal(parkingColour({ parking_gap: 0, parking_demand: 100 }), "#c7eae5");
  assert.equal(parkingColour({ parking_gap: null }), null);
  const p = { stage: "post_evaluated", parking_gap: 50, parking_demand: 100 };
  assert.equal(communityFill(p, "parking"), rgba("#a50f15", 0.7));
  assert.equal(communityFill({ stage: "applied", parking_gap: null }, "parking"), NO_FILL);
  assert.equal(themeSection("parking").entries.length, 5);
});

test("score classes and their labels", () => {
  assert.equal(classColour(80), "#253494");
  assert.equal(classColour(79.9), "#2c7fb8");
  assert.equal(classColour(0), "#ffffcc");
  assert.equal(classColour(null), null);
  assert.equal(classColour(Number.NaN), null);
  assert.deepEqual(
    classEntries(SCORE_CLASSES).map(([label]) => label),
    ["≥80", "60–80", "40–60", "20–40", "<20"],
  );
  assert.equal(rgba("#0a0b0c", 0.5), "rgba(10,11,12,0.5)");
});

const keys = (sections) => sections.map((s) => s.key);

test("the legend follows the layers on the map, the theme's section first", () => {
  const visible = ["districts", "idle_land", "communities"];
  assert.deepEqual(keys(legendSections({ theme: "stage", visible })), ["theme-stage", "districts", "idle_land"]);
  // a layer switched off: its section goes; on again: back in its place
  assert.deepEqual(keys(legendSections({ theme: "stage", visible: ["districts", "communities"] })), ["theme-stage", "districts"]);
  // the theme's layer off: no theme section
  assert.deepEqual(keys(legendSections({ theme: "stage", visible: ["districts", "idle_land"] })), ["districts", "idle_land"]);
  // under another theme the communities are outlines, and say so
  assert.deepEqual(
    keys(legendSections({ theme: "score", visible: ["idle_land", "lifecircle", "communities"] })),
    ["theme-score", "idle_land", "communities"],
  );
  // blocks: outlines over another theme, their colours under their own
  assert.deepEqual(keys(legendSections({ theme: "stage", visible: ["blocks", "communities"] })), ["theme-stage", "blocks"]);
  assert.deepEqual(keys(legendSections({ theme: "blocks", visible: ["blocks", "communities"] })), ["theme-blocks", "communities"]);
  // nothing on: no legend
  assert.deepEqual(legendSections({ theme: "stage", visible: [] }), []);
  // a layer of one mark is one row named after it; one of several marks has a title
  const [, districts, blocks] = legendSections({ theme: "stage", visible: ["communities", "districts", "blocks"] });
  assert.equal(districts.title, null);
  assert.deepEqual(districts.entries, [["区县边界", "#263238", "line"]]);
  assert.equal(blocks.title, "连片改造片区");
  assert.equal(blocks.entries.length, 2);
});

test("a theme's legend: stage labels from the server, a category's reach and enough", () => {
  const stage = themeSection("stage", { stages: { post_evaluated: "已后评估" } });
  assert.deepEqual(stage.entries.at(-1), ["已后评估", STAGE_COLOURS.post_evaluated, "sw"]);
  assert.equal(stage.entries.length, Object.keys(STAGE_COLOURS).length);
  assert.equal(themeSection("score").entries.length, SCORE_CLASSES.length);
  const reach = themeSection("score", {}, "幼儿园");
  assert.match(reach.title, /幼儿园/);
  assert.deepEqual(reach.entries.map(([, c]) => c), ["#253494", "#ffffcc"]);
  const enough = themeSection("capacity", {}, "幼儿园");
  assert.deepEqual(enough.entries.map(([, c]) => c), ["#7a0177", "#f768a1", "#feebe2"]);
  // every colour a theme's legend shows is one it paints
  for (const t of THEMES) {
    // the block marks, and the outline of a community without parking figures
    const painted = new Set([...PALETTES[t.key], "#212121", MARKS.outline]);
    for (const [, c] of themeSection(t.key).entries) assert.ok(painted.has(c), `${t.key} ${c}`);
  }
});

const ORDER = ["siting", "blocks", "amenities", "walk_network", "idle_land", "lifecircle", "results", "communities"];

test("one order: the layer list and the panes by it, whichever layer came first", () => {
  assert.equal(rankOf(ORDER, "siting"), 0);
  assert.equal(rankOf(ORDER, "nothing"), ORDER.length);
  const entries = [
    ["communities", "老旧小区"],
    [undefined, "乙（可编辑）"],
    ["siting", "选址"],
    ["idle_land", "闲置用地"],
    [undefined, "甲（可编辑）"],
  ];
  const sorted = (list) => [...list].sort((a, b) => compareOverlays(ORDER, a[0], b[0], a[1], b[1])).map((e) => e[1]);
  assert.deepEqual(sorted(entries), sorted([...entries].reverse()));
  // the named ones in the order, the others after them by label
  assert.deepEqual(sorted(entries).slice(0, 3), ["选址", "闲置用地", "老旧小区"]);
  assert.deepEqual(sorted(entries).slice(3), ["乙（可编辑）", "甲（可编辑）"].sort());
  assert.ok(paneZ(ORDER, "siting") > paneZ(ORDER, "blocks"));
  assert.ok(paneZ(ORDER, "blocks") > 350 && paneZ(ORDER, "siting") < 400);
  const painted = paintOrder([{ key: "amenities" }, { key: "basemap" }, { key: "communities" }, { key: "idle_land" }], ORDER);
  assert.deepEqual(painted.map((s) => s.key), ["basemap", "communities", "idle_land", "amenities"]);
});
