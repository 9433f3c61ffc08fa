// node --test: the pure parts of the planner's search and record card
// (static/maps/js/planner/search.js, record.js, selection.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { groupHits, hitDetail, moveIndex } from "../../static/maps/js/planner/search.js";
import { committeeText, parkingRows, recordRows } from "../../static/maps/js/planner/record.js";
import { hitBounds } from "../../static/maps/js/planner/selection.js";

test("hits are grouped by kind in a fixed order, each group in the server's order", () => {
  const rows = [
    { layer: "planning_area", code: "PA1" },
    { layer: "community", code: "C2" },
    { layer: "amenity", code: "A1" },
    { layer: "community", code: "C1" },
  ];
  assert.deepEqual(
    groupHits(rows).map(([kind, hits]) => [kind, hits.map((h) => h.code)]),
    [["community", ["C2", "C1"]], ["amenity", ["A1"]], ["planning_area", ["PA1"]]],
  );
  assert.deepEqual(groupHits([]), []);
});

test("a hit's detail names its district and what matched", () => {
  const c = { layer: "community", district: "海曙区", committee: "月湖社区", address: "解放南路 8 号" };
  assert.equal(hitDetail({ ...c, matched: "committee" }), "海曙区 · 社区：月湖社区");
  assert.equal(hitDetail({ ...c, matched: "address" }), "海曙区 · 地址：解放南路 8 号");
  assert.equal(hitDetail({ ...c, matched: "" }), "海曙区 · 月湖社区");
  assert.equal(hitDetail({ layer: "amenity", district: "", category_name: "幼儿园" }), "幼儿园");
  assert.equal(hitDetail({ layer: "planning_area", district: "鄞州区" }), "鄞州区");
});

test("arrows move through the hits and wrap; none active before the first move", () => {
  assert.equal(moveIndex(-1, 3, 1), 0);
  assert.equal(moveIndex(-1, 3, -1), 2);
  assert.equal(moveIndex(2, 3, 1), 0);
  assert.equal(moveIndex(0, 3, -1), 2);
  assert.equal(moveIndex(-1, 0, 1), -1);
});

test("the record's rows label choices and leave private columns out unless given", () => {
  const config = { choices: { "community.housing_type": { commodity: "商品房" } } };
  const p = { code: "CM1", district: "海曙区", committee: "月湖社区", address: "解放南路 8 号", completion_year: 1992, households: 400, housing_type: "commodity", floor_area_m2: 30000.4, dangerous_c: 0 };
  const rows = Object.fromEntries(recordRows(p, config));
  assert.equal(rows["社区"], "月湖社区");
  assert.equal(rows["地址"], "解放南路 8 号");
  assert.equal(rows["房屋类型"], "商品房");
  assert.equal(rows["建筑面积(m²)"], 30000);
  assert.equal(rows["C级危房栋数"], undefined); // none: left out
  assert.equal("列入棚改计划" in rows, false);
  assert.equal(Object.fromEntries(recordRows({ ...p, in_shanty_plan: true }, config))["列入棚改计划"], true);
});

test("a hit's bbox becomes Leaflet's corner pairs", () => {
  assert.deepEqual(hitBounds([121.5, 29.8, 121.6, 29.9]), [
    [29.8, 121.5],
    [29.9, 121.6],
  ]);
});

test("the record's parking rows: spaces, demand and ratio, gap or surplus, the source", () => {
  const parking = { spaces: 80, ratio: 0.3, demand: 120, gap: 40, version: "survey-2024", effective_from: "2024-01-01", source: "illustrative" };
  const rows = Object.fromEntries(parkingRows(parking));
  assert.equal(rows["现有停车位"], 80);
  assert.equal(rows["停车需求（户数×配比）"], "120 个（0.3 位/户）");
  assert.equal(rows["停车缺口"], "缺 40 个");
  assert.equal(rows["配比来源"], "survey-2024（2024-01-01）：illustrative");
  assert.equal(Object.fromEntries(parkingRows({ ...parking, gap: -30 }))["停车缺口"], "富余 30 个");
  assert.equal(Object.fromEntries(parkingRows({ ...parking, spaces: null, gap: null }))["停车缺口"], "未调查");
  assert.deepEqual(parkingRows(null), []);
  assert.equal(Object.fromEntries(recordRows({ code: "C1", parking }, {}))["停车缺口"], "缺 40 个");
});

test("the record shows the governance fields (五(一), 五(二)) when set", () => {
  const config = { choices: { "community.service_level": { 4: "四级" } } };
  const rows = Object.fromEntries(
    recordRows(
      { property_company: "宁波三江物业服务有限公司", service_level: "4", property_fee: "0.60", owners_committee: false },
      config,
    ),
  );
  assert.equal(rows["物业服务企业"], "宁波三江物业服务有限公司");
  assert.equal(rows["物业服务等级"], "四级");
  assert.equal(rows["物业服务费(元/m²·月)"], "0.60");
  assert.equal(rows["业主委员会"], "未成立");
  const none = Object.fromEntries(recordRows({ service_level: "", property_company: "" }, config));
  assert.equal(none["物业服务企业"], undefined);
  assert.equal(none["物业服务等级"], undefined);
  assert.equal(committeeText({ owners_committee: true, owners_committee_formed_on: "2021-06-01" }), "已成立（2021-06-01）");
  assert.equal(committeeText({}), undefined);
});
