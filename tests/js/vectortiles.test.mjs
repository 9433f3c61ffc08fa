// node --test: the vector-tile layers' pure parts (static/maps/js/lib/vectortiles.js) and
// tile URLs (static/maps/js/lib/urls.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { PAINT, hiddenAt, walkLine } from "../../static/maps/js/lib/vectortiles.js";
import { tileUrlFor } from "../../static/maps/js/lib/urls.js";
import { IDLE_KIND_COLOURS, stageColour, walkStyle } from "../../static/maps/js/lib/styles.js";

test("walk segments in tiles are drawn as the GeoJSON layer drew them", () => {
  for (const p of [{ kind: "bridge" }, { kind: "arterial", is_barrier: true }, { kind: "local" }]) {
    const style = walkStyle({ properties: p });
    assert.deepEqual(walkLine(p), { colour: style.color, width: style.weight });
  }
});

test("choropleths from the tiles' properties", () => {
  assert.equal(PAINT.communities.fill({ stage: "accepted" }), stageColour("accepted"));
  assert.equal(PAINT.idle_land.fill({ kind: "corner" }), IDLE_KIND_COLOURS.corner);
  assert.equal(PAINT.idle_land.fill({ kind: "moon" }), "#bcaaa4");
});

test("the layers waiting for a closer zoom, with the zoom each needs", () => {
  const specs = [
    { key: "communities", minzoom: 10 },
    { key: "walk_network", minzoom: 13 },
    { key: "amenities", minzoom: 14 },
  ];
  assert.deepEqual(hiddenAt(specs, 9), [["communities", 10], ["walk_network", 13], ["amenities", 14]]);
  assert.deepEqual(hiddenAt(specs, 13), [["amenities", 14]]);
  assert.deepEqual(hiddenAt(specs, 14), []);
});

test("a tile URL keeps {z}/{x}/{y} for the renderer and fills the rest", () => {
  const urls = { "planner-run-tile": "/api/planner/tiles/runs/{pk}/{layer}/{z}/{x}/{y}.mvt" };
  assert.equal(tileUrlFor(urls, "planner-run-tile", { pk: 3, layer: "islands" }), "/api/planner/tiles/runs/3/islands/{z}/{x}/{y}.mvt");
  assert.throws(() => tileUrlFor(urls, "planner-run-tile", { pk: 3 }), /needs layer/);
});
