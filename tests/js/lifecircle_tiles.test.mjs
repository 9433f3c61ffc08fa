// The life-circle choropleth from the run's tiles (lib/lifecircle.js categoryFill): the
// score of the gaps chosen, or the picked category's gaps the tiles carry.
import assert from "node:assert/strict";
import { test } from "node:test";

import { categoryFill } from "../../static/maps/js/lib/lifecircle.js";
import { NO_FILL, resultFill } from "../../static/maps/js/lib/themes.js";

test("no category: the score of the gaps chosen", () => {
  const p = { score: 90, score_capacity: 10 };
  assert.equal(categoryFill(p, { category: "", gaps: "distance" }, "score"), resultFill(90, "score"));
  assert.equal(categoryFill(p, { category: "", gaps: "capacity" }, "capacity"), resultFill(10, "capacity"));
});

test("a category: within reach or not, enough or not, from the tile's properties", () => {
  const state = { category: "kindergarten", gaps: "distance" };
  const reach = categoryFill({ score: 90, covered: true }, state, "score");
  const none = categoryFill({ score: 90, covered: false }, state, "score");
  assert.notEqual(reach, none);
  assert.equal(reach, resultFill(null, "score", { covered: true }));
  const short = categoryFill({ covered: true, adequate: false }, state, "capacity");
  const enough = categoryFill({ covered: true, adequate: true }, state, "capacity");
  assert.notEqual(short, enough);
  // a tile without the category's gaps (asked for before the pick) is not drawn
  assert.equal(categoryFill({ score: 90 }, state, "score"), NO_FILL);
  // another theme: the life circle draws nothing
  assert.equal(categoryFill({ covered: true }, state, "stage"), NO_FILL);
});
