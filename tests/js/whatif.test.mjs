// node --test: the what-if of several sites as figures (static/maps/js/lib/whatif.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { gainedCommunities, summaryRows, summaryTotals, whatIfBody } from "../../static/maps/js/lib/whatif.js";

const sites = [
  { category: "kindergarten", lon: 121.5, lat: 29.8, capacity: 40 },
  { category: "elderly_daycare", lon: 121.6, lat: 29.9, capacity: null },
  { category: "kindergarten", lon: 121.7, lat: 29.9, capacity: "" },
];

const result = {
  categories: ["elderly_daycare", "kindergarten"],
  communities_newly_covered: 2,
  residents_newly_covered: { kindergarten: 2000, elderly_daycare: 2000 },
  mean_score_before: 60,
  mean_score_after: 70.5,
  changed: [
    { code: "B", name: "小区B", residents: 2000, newly_covered: ["kindergarten", "elderly_daycare"] },
    { code: "C", name: "小区C", residents: 500, newly_covered: [] },
  ],
  capacity: {
    categories: ["kindergarten"],
    shortfall_reduced: { kindergarten: 40.004 },
    supply_added: [{ code: "new-1", category: "kindergarten", supply: 40, unit: "places" }],
    changed: [
      { code: "B", name: "小区B", residents: 2000, shortfall_before: { kindergarten: 60 }, shortfall_after: { kindergarten: 20 } },
      { code: "A", name: "小区A", residents: 1000, shortfall_before: { kindergarten: 5 }, shortfall_after: { kindergarten: 1 } },
    ],
  },
};

test("every site goes in one request, capacity only when given", () => {
  assert.deepEqual(whatIfBody(sites).facilities, [
    { category: "kindergarten", lon: 121.5, lat: 29.8, capacity: 40 },
    { category: "elderly_daycare", lon: 121.6, lat: 29.9 },
    { category: "kindergarten", lon: 121.7, lat: 29.9 },
  ]);
});

test("one row per category in the order placed; shortfall only where capacity applies", () => {
  assert.deepEqual(summaryRows(result, sites), [
    { category: "kindergarten", sites: 2, communities: 1, residents: 2000, shortfall: 40.004, unit: "places" },
    { category: "elderly_daycare", sites: 1, communities: 1, residents: 2000, shortfall: null, unit: null },
  ]);
});

test("totals count each community once", () => {
  assert.deepEqual(summaryTotals(result), { communities: 2, residents: 2500, before: 60, after: 70.5, shortfall: 40 });
  assert.equal(summaryTotals({ ...result, capacity: null }).shortfall, null);
  // two capacity categories: places and beds do not add up
  const two = { ...result.capacity, categories: ["kindergarten", "elderly_daycare"], shortfall_reduced: { kindergarten: 40, elderly_daycare: 3.9 } };
  assert.equal(summaryTotals({ ...result, capacity: two }).shortfall, null);
});

test("the communities that gain: within reach or a smaller shortfall, each once", () => {
  const gains = gainedCommunities(result);
  assert.deepEqual(
    gains.map((g) => [g.code, g.covered.length, g.shortfall]),
    [
      ["B", 2, ["kindergarten"]],
      ["A", 0, ["kindergarten"]],
      ["C", 0, []],
    ],
  );
});
