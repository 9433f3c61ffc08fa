// node --test: the siting run's parking trade-off in words (static/maps/js/lib/siting.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { parkingTradeoff } from "../../static/maps/js/lib/siting.js";

const parking = {
  weight: 0,
  walk_m: 300,
  shortage_total: 280,
  communities_short: 1,
  communities_unsurveyed: 3,
  ratios: { version: "survey-2024", effective_from: "2024-01-01", source: "illustrative" },
  tradeoff: { exact: { sites: 2, residents_served: 6500, parking_spaces: 26, parking_gap_reduced: 0 } },
};

test("the trade-off sets the residents served against the parking the plots could hold", () => {
  const text = parkingTradeoff(parking);
  assert.match(text, /推荐的 2 处用作设施：新增服务 6500 名居民/);
  assert.match(text, /可建 26 个车位，步行 300 m 内小区的停车缺口最多减少 0 个/);
  assert.match(text, /全市停车缺口 280 个（1 个小区有缺口，3 个小区车位未调查）/);
  assert.match(text, /survey-2024（2024-01-01 起），illustrative/);
  assert.doesNotMatch(text, /停车权重/);
});

test("under a weight it counts the plots better used for parking, once each", () => {
  const cands = [
    { candidate_code: "L0", prefer_parking: true },
    { candidate_code: "L0", prefer_parking: true },
    { candidate_code: "L2", prefer_parking: false },
  ];
  assert.match(parkingTradeoff({ ...parking, weight: 1 }, cands), /停车权重 1：1 处候选用地宜作停车/);
});

test("no parking figures: nothing to say", () => {
  assert.equal(parkingTradeoff(null), "");
  assert.equal(parkingTradeoff(undefined), "");
});
