// node --test: Leaflet.draw's strings given in the page's language (static/maps/js/lib/drawlocal.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { drawStrings, fillStrings } from "../../static/maps/js/lib/drawlocal.js";

function leaves(obj, prefix = "") {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === "object" ? leaves(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]));
}

test("every string of Leaflet.draw's English table is given", () => {
  // the keys of L.drawLocal in leaflet.draw 1.0 (django-leaflet's copy)
  const english = {
    draw: {
      toolbar: { actions: { title: "", text: "" }, finish: { title: "", text: "" }, undo: { title: "", text: "" }, buttons: { polyline: "", polygon: "", rectangle: "", circle: "", marker: "", circlemarker: "" } },
      handlers: {
        circle: { tooltip: { start: "" }, radius: "" }, circlemarker: { tooltip: { start: "" } }, marker: { tooltip: { start: "" } },
        polygon: { tooltip: { start: "", cont: "", end: "" } }, polyline: { error: "", tooltip: { start: "", cont: "", end: "" } },
        rectangle: { tooltip: { start: "" } }, simpleshape: { tooltip: { end: "" } },
      },
    },
    edit: {
      toolbar: { actions: { save: { title: "", text: "" }, cancel: { title: "", text: "" }, clearAll: { title: "", text: "" } }, buttons: { edit: "", editDisabled: "", remove: "", removeDisabled: "" } },
      handlers: { edit: { tooltip: { text: "", subtext: "" } }, remove: { tooltip: { text: "" } } },
    },
  };
  const given = new Map(leaves(drawStrings()));
  for (const [key] of leaves(english)) assert.ok(given.get(key), key);
  // without the catalog (node) the Chinese source strings
  assert.equal(given.get("draw.toolbar.finish.text"), "完成");
  assert.equal(given.get("draw.toolbar.undo.text"), "删除最后一点");
});

test("filling keeps what the table lacks and replaces the rest", () => {
  const local = { format: { numeric: { delimiters: { thousands: "," } } }, draw: { toolbar: { finish: { text: "Finish" } } } };
  fillStrings(local);
  assert.equal(local.draw.toolbar.finish.text, "完成");
  assert.equal(local.format.numeric.delimiters.thousands, ",");
  assert.equal(local.edit.handlers.remove.tooltip.text, "点击要素将其删除。");
});
