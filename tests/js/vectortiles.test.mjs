// node --test: the vector-tile layers' pure parts (static/maps/js/lib/vectortiles.js) and
// tile URLs (static/maps/js/lib/urls.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { PAINT, byPickOrder, drawOrder, hiddenAt, stackSources, walkLine } from "../../static/maps/js/lib/vectortiles.js";
import { resultScore } from "../../static/maps/js/lib/lifecircle.js";
import { tileSourceFor, tileUrlFor } from "../../static/maps/js/lib/urls.js";
import { walkStyle } from "../../static/maps/js/lib/styles.js";
import { NO_FILL, SCORE_CLASSES, rgba, stageColour } from "../../static/maps/js/lib/themes.js";

// planner/mapconfig.py OVERLAY_ORDER (tests/planner/test_mapconfig.py checks it is this)
const ORDER = ["siting", "unreachable", "supply", "districts", "streets", "special_work_conflicts", "special_works", "blocks", "amenities", "vacant_housing", "islands", "walk_network", "idle_land", "lifecircle", "results", "communities"];

test("walk segments in tiles are drawn as the GeoJSON layer drew them", () => {
  for (const p of [{ kind: "bridge" }, { kind: "arterial", is_barrier: true }, { kind: "local" }]) {
    const style = walkStyle({ properties: p });
    assert.deepEqual(walkLine(p), { colour: style.color, width: style.weight });
  }
});

test("choropleths from the tiles' properties", () => {
  assert.equal(PAINT.communities.fill({ stage: "accepted" }), rgba(stageColour("accepted"), 0.7));
  // idle land is hatched over whichever theme colours the map, whatever its kind
  assert.equal(PAINT.idle_land.fill, undefined);
  assert.equal(PAINT.idle_land.hatch, PAINT.idle_land.stroke);
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

test("the layers of one URL come in one request per tile, one URL per set of layers", () => {
  const city = "/api/planner/tiles/{layer}/{z}/{x}/{y}.mvt";
  const other = "/api/other/{layer}/{z}/{x}/{y}.mvt";
  const sources = stackSources([
    { key: "walk_network", source: city },
    { key: "results", source: city, query: { run: "7" } },
    { key: "communities", source: city, version: 2 },
    { key: "islands", source: city, query: { run: "7" } },
    { key: "extra", source: other },
  ]);
  assert.deepEqual(
    sources.map((s) => [s.keys, s.url]),
    [
      [["communities", "islands", "results", "walk_network"], "/api/planner/tiles/communities+islands+results+walk_network/{z}/{x}/{y}.mvt?run=7&v=2"],
      [["extra"], "/api/other/extra/{z}/{x}/{y}.mvt"],
    ],
  );
  assert.equal(new Set(sources.map((s) => s.name)).size, 2);
});

test("areas are painted under lines and points; points answer a click first", () => {
  const keys = (specs) => specs.map((s) => s.key);
  const specs = ["amenities", "walk_network", "results", "communities"].map((key) => ({ key }));
  assert.deepEqual(keys(drawOrder(specs, ORDER)), ["communities", "results", "walk_network", "amenities"]);
  // the basemap under everything, keys the order does not name over the rest
  const more = [{ key: "extra" }, ...specs, { key: "basemap" }];
  assert.deepEqual(keys(drawOrder(more, ORDER)), ["basemap", "communities", "results", "walk_network", "amenities", "extra"]);
  // the order is the one given, not the order the layers came in
  assert.deepEqual(keys(drawOrder([...more].reverse(), ORDER)), keys(drawOrder(more, ORDER)));
  const layers = specs.map((spec) => ({ spec }));
  assert.deepEqual(
    byPickOrder(layers).map((l) => l.spec.key),
    ["amenities", "results", "communities", "walk_network"],
  );
});

test("the run's choropleth from the tiles' scores, by the gaps chosen", () => {
  const p = { score: 80, score_capacity: 35 };
  assert.equal(resultScore(p, "distance"), 80);
  assert.equal(resultScore(p, "capacity"), 35);
  assert.equal(resultScore({ score: 80, score_capacity: null }, "capacity"), 80);
  assert.equal(PAINT.results.fill({ score: 90 }), rgba(SCORE_CLASSES[0][1], 0.7));
  assert.equal(PAINT.results.fill({ score: null }), NO_FILL);
});

test("a tile source keeps {layer} for the stack", () => {
  const urls = { "planner-run-tile": "/api/planner/tiles/runs/{pk}/{layer}/{z}/{x}/{y}.mvt" };
  assert.equal(tileSourceFor(urls, "planner-run-tile", { pk: 3 }), "/api/planner/tiles/runs/3/{layer}/{z}/{x}/{y}.mvt");
});
