// The walk network's line symbolizer (lib/vectortiles.js): the features of one style
// one path, stroked once when the style changes or the flush rule runs; nothing saved
// or restored per feature.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PAINT, lineRules, lineSymbolizer } from "../../static/maps/js/lib/vectortiles.js";

function fakeContext() {
  const log = { strokes: [], saves: 0 };
  let path = [];
  const ctx = {
    log,
    strokeStyle: "",
    lineWidth: 0,
    globalAlpha: 1,
    lineCap: "",
    lineJoin: "",
    save: () => (log.saves += 1),
    restore: () => {},
    beginPath: () => (path = []),
    moveTo: (x, y) => path.push(["M", x, y]),
    lineTo: (x, y) => path.push(["L", x, y]),
    stroke: () => log.strokes.push({ style: ctx.strokeStyle, width: ctx.lineWidth, path }),
  };
  return ctx;
}

const line = (x) => [[{ x, y: 0 }, { x: x + 1, y: 1 }]];
const feature = (kind) => ({ props: { kind, is_barrier: false } });

test("the features of one style are one stroke, a new stroke at each style change", () => {
  const sym = lineSymbolizer(PAINT.walk_network);
  const ctx = fakeContext();
  sym.before(ctx, 15);
  const kinds = ["footway", "footway", "arterial", "arterial", "footway"];
  kinds.forEach((kind, i) => sym.draw(ctx, line(i), 15, feature(kind)));
  assert.equal(ctx.log.strokes.length, 2); // footway ×2, arterial ×2; the last pending
  sym.flush(ctx);
  const strokes = ctx.log.strokes;
  assert.equal(strokes.length, 3);
  assert.equal(ctx.log.saves, 0);
  assert.deepEqual(strokes[0].path, [["M", 0, 0], ["L", 1, 1], ["M", 1, 0], ["L", 2, 1]]);
  assert.deepEqual(strokes[2].path, [["M", 4, 0], ["L", 5, 1]]);
  const styleOf = (k) => [PAINT.walk_network.line(feature(k).props), PAINT.walk_network.width(feature(k).props)];
  assert.notDeepEqual(styleOf("footway"), styleOf("arterial"));
  assert.deepEqual([strokes[0].style, strokes[0].width], styleOf("footway"));
  assert.deepEqual([strokes[1].style, strokes[1].width], styleOf("arterial"));
  assert.deepEqual([strokes[2].style, strokes[2].width], styleOf("footway"));
  assert.equal(ctx.globalAlpha, PAINT.walk_network.opacity);
});

test("the flush strokes in the batch's own style, after the canvas was restored", () => {
  const sym = lineSymbolizer(PAINT.walk_network);
  const ctx = fakeContext();
  sym.before(ctx, 15);
  sym.draw(ctx, line(0), 15, feature("footway"));
  const style = PAINT.walk_network.line(feature("footway").props);
  ctx.strokeStyle = "#restored"; // protomaps restores the canvas after the features
  ctx.lineWidth = 9;
  sym.flush(ctx);
  assert.equal(ctx.log.strokes.length, 1);
  assert.equal(ctx.log.strokes[0].style, style);
  assert.equal(ctx.log.strokes[0].width, PAINT.walk_network.width(feature("footway").props));
  sym.flush(ctx); // nothing pending: no second stroke
  assert.equal(ctx.log.strokes.length, 1);
});

test("before() strokes what a previous data tile left pending", () => {
  const sym = lineSymbolizer(PAINT.walk_network);
  const ctx = fakeContext();
  sym.before(ctx, 15);
  sym.draw(ctx, line(0), 15, feature("footway"));
  sym.before(ctx, 15);
  assert.equal(ctx.log.strokes.length, 1);
  sym.draw(ctx, line(1), 15, feature("footway"));
  sym.flush(ctx);
  assert.equal(ctx.log.strokes.length, 2);
});

test("lineRules adds a rule after the line rule that flushes and draws nothing", () => {
  const sym = lineSymbolizer(PAINT.walk_network);
  const rules = lineRules({ dataLayer: "walk_network", minzoom: 14 }, sym);
  assert.equal(rules.length, 2);
  assert.equal(rules[0].symbolizer, sym);
  assert.equal(rules[1].dataLayer, "walk_network");
  assert.equal(rules[1].minzoom, 14);
  assert.equal(rules[1].filter(15, feature("footway")), false);
  assert.equal(rules[1].symbolizer.before, sym.flush);
  // a symbolizer without a flush keeps its one rule
  assert.equal(lineRules({ dataLayer: "x" }, { draw() {} }).length, 1);
});
