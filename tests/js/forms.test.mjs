// node --test: editable-layer field specs (static/maps/js/lib/forms.js) and the planner's
// pure helpers (static/maps/js/planner/)
import assert from "node:assert/strict";
import { test } from "node:test";
import { kindSpec, propertiesFrom } from "../../static/maps/js/lib/forms.js";
import { editableGeometry } from "../../static/maps/js/planner/editor.js";
import { districtChoices } from "../../static/maps/js/planner/analyses.js";

const CONFIG = {
  kinds: [
    {
      kind: "vacant_housing",
      label: "闲置公房",
      point: true,
      fields: [
        { name: "name", type: "text" },
        { name: "floor_area_m2", type: "number" },
        { name: "status", type: "select", choices: { available: "可利用" } },
      ],
    },
  ],
};

test("finds a kind's spec, refuses an unknown kind", () => {
  assert.equal(kindSpec(CONFIG, "vacant_housing").label, "闲置公房");
  assert.throws(() => kindSpec(CONFIG, "moon"), /unknown editable kind/);
});

test("numbers become numbers, an empty number null, absent fields stay out", () => {
  const spec = kindSpec(CONFIG, "vacant_housing");
  assert.deepEqual(propertiesFrom(spec, { name: "甲", floor_area_m2: "12.5", status: "available" }), {
    name: "甲",
    floor_area_m2: 12.5,
    status: "available",
  });
  assert.deepEqual(propertiesFrom(spec, { floor_area_m2: "" }), { floor_area_m2: null });
});

test("a one-part MultiPolygon is edited as a Polygon, others unchanged", () => {
  const ring = [[0, 0], [1, 0], [1, 1], [0, 0]];
  const one = { type: "Feature", geometry: { type: "MultiPolygon", coordinates: [[ring]] } };
  assert.deepEqual(editableGeometry(one).geometry, { type: "Polygon", coordinates: [ring] });
  const two = { type: "Feature", geometry: { type: "MultiPolygon", coordinates: [[ring], [ring]] } };
  assert.equal(editableGeometry(two), two);
});

test("a district planner is offered their own district only, without the city-wide option", () => {
  const districts = [{ code: "A", name: "海曙区" }, { code: "B", name: "江北区" }];
  assert.deepEqual(districtChoices({ role: "district_planner", district: "B", districts }), { keep: 0, entries: [["B", "江北区"]] });
  assert.deepEqual(districtChoices({ role: "city_admin", district: null, districts }), {
    keep: 1,
    entries: [["A", "海曙区"], ["B", "江北区"]],
  });
});
