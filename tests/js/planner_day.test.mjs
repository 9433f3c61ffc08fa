// node --test: the pure parts of the blocks card, the life-circle table and the siting
// popup (static/maps/js/lib/blocks.js, lifecircle.js, siting.js, planner/blocks.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { blockFacts, blockParking, namesOf, wanYuan, withParking } from "../../static/maps/js/lib/blocks.js";
import { missingText, resultRows } from "../../static/maps/js/lib/lifecircle.js";
import { isChosen, kindLabel, ownerLabel } from "../../static/maps/js/lib/siting.js";
import { movableCommunities } from "../../static/maps/js/planner/blocks.js";

const CATEGORIES = { kindergarten: "幼儿园", market: "菜市场", school: "小学" };

test("money in 万元 with two decimals", () => {
  assert.equal(wanYuan(90222060), "9022.21");
  assert.equal(wanYuan(null), null);
});

test("a block's facts name members and gaps, never their codes", () => {
  const p = { code: "R1-B001", status: "accepted", locked: true, member_codes: ["CM1", "CM2"], member_names: ["月湖小区", "天一小区"], gaps_most: ["kindergarten", "x"], cost_estimate_yuan: 1500000 };
  const facts = Object.fromEntries(blockFacts(p, { categories: CATEGORIES }));
  assert.equal(facts["成员小区"], "月湖小区、天一小区");
  assert.equal(facts["共同缺失设施"], "幼儿园、x");
  assert.equal(facts["基础类改造估算"], "150.00 万元");
  assert.equal(facts["状态"], "已确认（已锁定）");
  assert.equal(namesOf(["market"], CATEGORIES), "菜市场");
});

test("a block's parking: its members' shortage, demand and spaces, the unsurveyed named", () => {
  const b = { communities: 3, surveyed: 2, demand: 390, spaces: 280, gap: -10, shortage: 40 };
  assert.equal(blockParking(b), "缺 40 个（需求 390，现有 280）；1 个小区未调查");
  assert.equal(blockParking({ ...b, surveyed: 3 }), "缺 40 个（需求 390，现有 280）");
  assert.equal(blockParking({ ...b, surveyed: 3, shortage: 0 }), "无缺口（需求 390，现有 280）");
  assert.equal(blockParking({ ...b, surveyed: 0 }), "车位未调查");
  assert.equal(blockParking(null), null);
  const data = withParking({ parking: { B1: b }, features: [{ properties: { code: "B1" } }, { properties: { code: "B2" } }] });
  assert.equal(data.features[0].properties.parking, b);
  assert.equal(data.features[1].properties.parking, null);
  assert.equal(Object.fromEntries(blockFacts(data.features[0].properties, {}))["停车缺口"], "缺 40 个（需求 390，现有 280）；1 个小区未调查");
});

test("missing facilities: each under the first tier that misses it", () => {
  const missing = { 10: ["kindergarten", "school"], 5: ["kindergarten"], 15: ["kindergarten", "school"] };
  assert.equal(missingText(missing, CATEGORIES), "5分钟：幼儿园；10分钟：小学");
  assert.equal(missingText({ 5: [] }, CATEGORIES), "无");
});

test("with a category the rows without it come first", () => {
  const f = (code, covered, residents) => ({ properties: { code, name: code, covered, residents, score: 50, missing: {} } });
  const rows = resultRows([f("A", true, 10), f("B", false, 5), f("C", false, 50)], "kindergarten", CATEGORIES);
  assert.deepEqual(rows.map((r) => r.code), ["C", "B", "A"]);
  assert.equal(rows[0].covered, "否");
});

test("siting labels: kinds and owner kinds in words", () => {
  const config = { choices: { "idle_land.kind": { corner: "边角地" }, "vacant_housing.owner_kind": { work_unit: "单位用房" } } };
  assert.equal(kindLabel(config, "vacant_housing"), "闲置公房");
  assert.equal(kindLabel(config, "corner"), "边角地");
  assert.equal(ownerLabel(config, { candidate_kind: "vacant_housing", owner: "work_unit" }), "单位用房");
  assert.equal(ownerLabel(config, { candidate_kind: "idle_land", owner: "某单位" }), "某单位");
  assert.ok(isChosen({ chosen_exact: true }) && !isChosen({}));
});

test("a community can move in from the other blocks of the same group only", () => {
  const block = (code, group, codes, names) => ({ properties: { code, name: code, group_code: group, member_codes: codes, member_names: names } });
  const features = [block("B1", "S1", ["a"], ["甲"]), block("B2", "S1", ["b", "c"], ["乙", "丙"]), block("B3", "S2", ["d"], ["丁"])];
  assert.deepEqual(movableCommunities(features, features[0].properties), [["b", "乙（B2）"], ["c", "丙（B2）"]]);
});
