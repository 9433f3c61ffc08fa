// Output encoding for every module: data reaches the page only as text. Popups, tooltips,
// cards, tables and lists are DOM nodes filled with textContent (never innerHTML, never an
// HTML string given to bindPopup / bindTooltip / setContent). The one Leaflet API that
// takes nothing but HTML, the layer control's labels (Control.Layers sets innerHTML), gets
// its text through addOverlay() below, which escapes it.
import { gettext } from "./i18n.js";

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text → HTML that shows exactly that text (for APIs that only take HTML strings). */
export function escapeHtml(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** An element with `text` as its text (null/undefined: empty) and an optional class. */
export function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function cellText(value) {
  return typeof value === "boolean" ? (value ? gettext("是") : gettext("否")) : value;
}

/** A two-column table of [label, value] rows; empty values are left out. */
export function rowsTable(rows) {
  const table = el("table");
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    const tr = el("tr");
    const th = el("th", label);
    th.scope = "row";
    tr.append(th, el("td", cellText(value)));
    table.appendChild(tr);
  }
  return table;
}

/** A feature's popup: its title and an attribute table. */
export function attributeTable(title, rows) {
  const root = el("div", null, "popup");
  root.append(el("h3", title), rowsTable(rows));
  return root;
}

/** Add an overlay to a layer control under a plain-text label; `key` names it in the
 * maps' layer order and legend (config.overlay_order, ./order.js, ./mapkey.js). */
export function addOverlay(control, layer, label, key) {
  if (key) layer.overlayKey = key;
  control.addOverlay(layer, escapeHtml(label));
  control._map?.fire("mapkeychange");
}

/** Fill a <select> with [value, label] pairs after its first `keep` options. */
export function fillSelect(select, entries, { keep = 0, value } = {}) {
  while (select.options.length > keep) select.remove(keep);
  for (const [v, label] of entries) {
    const option = el("option", label);
    option.value = String(v);
    select.appendChild(option);
  }
  if (value !== undefined && entries.some(([v]) => String(v) === String(value))) select.value = String(value);
  return select;
}

/** Legend rows into `parent`: an optional title, then one swatch per [label, colour]. */
export function legendSection(parent, title, entries, cls = "sw") {
  if (title) parent.appendChild(el("h4", title));
  for (const [label, colour] of entries) {
    const row = el("div");
    const swatch = el("i", null, cls);
    swatch.style.background = colour;
    row.append(swatch, document.createTextNode(label));
    parent.appendChild(row);
  }
  return parent;
}

/** A bottom-right legend control of sections [{title, entries, cls}]. */
export function legendControl(map, sections, position = "bottomright") {
  const legend = L.control({ position });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    for (const s of sections) legendSection(div, s.title, s.entries, s.cls);
    return div;
  };
  return legend.addTo(map);
}
