// node --test: the public map's filter over the tiles' properties
// (static/maps/js/lib/publictiles.js), as the GeoJSON endpoint filters in SQL
import assert from "node:assert/strict";
import { test } from "node:test";
import { communityFilter } from "../../static/maps/js/lib/publictiles.js";

const A = { code: "A", district: "330203", completion_year: 1990, stage: "accepted" };
const B = { code: "B", district: "330205", completion_year: 2001, stage: "not_started" };
const C = { code: "C", district: "330203", completion_year: null, stage: "planned" };

const kept = (params) => [A, B, C].filter(communityFilter(params)).map((p) => p.code);

test("no filter keeps every community", () => {
  assert.deepEqual(kept({}), ["A", "B", "C"]);
});

test("district, stages and the completion years", () => {
  assert.deepEqual(kept({ district: "330203" }), ["A", "C"]);
  assert.deepEqual(kept({ stage: "accepted,planned" }), ["A", "C"]);
  assert.deepEqual(kept({ stage: "none" }), []);
  assert.deepEqual(kept({ year_min: "1995" }), ["B"]); // no year: out once a bound is set
  assert.deepEqual(kept({ year_max: "1995" }), ["A"]);
  assert.deepEqual(kept({ district: "330203", year_min: "1980", year_max: "1990", stage: "accepted" }), ["A"]);
});
