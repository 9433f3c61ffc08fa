// The walk network's line symbolizer (lib/vectortiles.js): every feature stroked, the
// style set only when it changes, nothing saved or restored per feature.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PAINT, lineSymbolizer } from "../../static/maps/js/lib/vectortiles.js";

function fakeContext() {
  const log = { strokes: 0, styles: [], saves: 0, paths: [] };
  let path = [];
  return {
    log,
    set strokeStyle(v) {
      log.styles.push(v);
    },
    lineWidth: 0,
    globalAlpha: 1,
    lineCap: "",
    lineJoin: "",
    save: () => (log.saves += 1),
    restore: () => {},
    beginPath: () => (path = []),
    moveTo: (x, y) => path.push(["M", x, y]),
    lineTo: (x, y) => path.push(["L", x, y]),
    stroke: () => {
      log.strokes += 1;
      log.paths.push(path);
    },
  };
}

const line = (x) => [[{ x, y: 0 }, { x: x + 1, y: 1 }]];

test("every feature is stroked, the style set only when it changes", () => {
  const sym = lineSymbolizer(PAINT.walk_network);
  const ctx = fakeContext();
  sym.before(ctx, 15);
  const kinds = ["footway", "footway", "arterial", "arterial", "footway"];
  kinds.forEach((kind, i) => sym.draw(ctx, line(i), 15, { props: { kind, is_barrier: false } }));
  assert.equal(ctx.log.strokes, 5);
  assert.equal(ctx.log.saves, 0);
  assert.equal(ctx.log.styles.length, 3); // footway, arterial, footway again
  assert.deepEqual(ctx.log.paths[2], [["M", 2, 0], ["L", 3, 1]]);
  assert.equal(ctx.globalAlpha, PAINT.walk_network.opacity);
  assert.equal(ctx.lineWidth, 1);
});

test("before() forgets the style: another rule may have changed the canvas", () => {
  const sym = lineSymbolizer(PAINT.walk_network);
  const ctx = fakeContext();
  const f = { props: { kind: "footway", is_barrier: false } };
  sym.before(ctx, 15);
  sym.draw(ctx, line(0), 15, f);
  sym.before(ctx, 15);
  sym.draw(ctx, line(0), 15, f);
  assert.equal(ctx.log.styles.length, 2);
});
