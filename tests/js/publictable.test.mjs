// node --test: the public map's table view (static/maps/js/lib/publictable.js): rows from
// the public GeoJSON filtered as the map is, sorting (the stage by its order) and pages
import assert from "node:assert/strict";
import { test } from "node:test";
import { PAGE_SIZE, pageOf, pageOfCode, sortRows, tableColumns, tableRows } from "../../static/maps/js/lib/publictable.js";
import { communityFilter } from "../../static/maps/js/lib/publictiles.js";

const STAGES = { not_started: "未启动", applied: "已申请", under_construction: "施工中", accepted: "竣工验收" };
const DISTRICTS = { 330203: "海曙区", 330205: "江北区" };
const feature = (code, name, district, stage, year, households) => ({
  type: "Feature",
  id: code,
  geometry: null,
  properties: { code, name, district, stage, completion_year: year, households },
});
const FEATURES = [
  feature("C1", "月湖新村", "330203", "accepted", 1990, 500),
  feature("C2", "白沙小区", "330205", "not_started", 1998, 300),
  feature("C3", "江北新苑", "330205", "under_construction", null, 200),
  feature("C4", "安居小区", "330203", "applied", 1985, 120),
];

test("rows carry the district's name, the stage's label and its place in the renovation", () => {
  const [row] = tableRows(FEATURES, { districts: DISTRICTS, stages: STAGES });
  assert.deepEqual(
    { ...row },
    { code: "C1", name: "月湖新村", district: "330203", district_name: "海曙区", completion_year: 1990, households: 500, stage: "accepted", stage_label: "竣工验收", step: 4, progress: "4 / 4" },
  );
  assert.equal(tableColumns()[0][0], "name");
  assert.deepEqual(tableColumns().map(([k]) => k), ["name", "district_name", "completion_year", "households", "stage_label", "progress"]);
});

test("the table keeps what the map keeps (the same filter predicate)", () => {
  const keep = communityFilter({ district: "330205", year_min: "1990" });
  assert.deepEqual(tableRows(FEATURES, { districts: DISTRICTS, stages: STAGES, keep }).map((r) => r.code), ["C2"]);
  const stages = communityFilter({ stage: "accepted,applied" });
  assert.deepEqual(tableRows(FEATURES, { stages: STAGES, keep: stages }).map((r) => r.code), ["C1", "C4"]);
});

test("names sort in Chinese collation, numbers numerically, the stage by its order", () => {
  const rows = tableRows(FEATURES, { districts: DISTRICTS, stages: STAGES });
  assert.deepEqual(sortRows(rows, { key: "name", asc: true }).map((r) => r.name), ["安居小区", "白沙小区", "江北新苑", "月湖新村"]);
  assert.deepEqual(sortRows(rows, { key: "households", asc: false }).map((r) => r.households), [500, 300, 200, 120]);
  // not alphabetical: 未启动 → 已申请 → 施工中 → 竣工验收
  assert.deepEqual(sortRows(rows, { key: "stage_label", asc: true }).map((r) => r.code), ["C2", "C4", "C3", "C1"]);
  assert.deepEqual(sortRows(rows, { key: "progress", asc: false }).map((r) => r.code), ["C1", "C3", "C4", "C2"]);
  // a community without a year sorts last both ways
  assert.equal(sortRows(rows, { key: "completion_year", asc: true }).at(-1).code, "C3");
  assert.equal(sortRows(rows, { key: "completion_year", asc: false }).at(-1).code, "C3");
  assert.deepEqual(rows.map((r) => r.code), ["C1", "C2", "C3", "C4"]); // not sorted in place
});

test("pages of PAGE_SIZE rows, clamped; a code's page", () => {
  const many = Array.from({ length: 45 }, (_, i) => ({ code: `C${String(i).padStart(2, "0")}` }));
  assert.equal(PAGE_SIZE, 20);
  assert.deepEqual({ ...pageOf(many, 1), rows: pageOf(many, 1).rows.length }, { rows: 20, page: 1, pages: 3, from: 1, to: 20, total: 45 });
  const last = pageOf(many, 3);
  assert.deepEqual([last.from, last.to, last.rows.length], [41, 45, 5]);
  assert.equal(pageOf(many, 9).page, 3);
  assert.equal(pageOf(many, 0).page, 1);
  assert.deepEqual({ ...pageOf([], 1) }, { rows: [], page: 1, pages: 1, from: 0, to: 0, total: 0 });
  assert.equal(pageOfCode(many, "C20"), 2);
  assert.equal(pageOfCode(many, "C44"), 3);
  assert.equal(pageOfCode(many, "nope"), 1);
});
