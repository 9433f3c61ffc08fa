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
    tr.append(el("th", label), el("td", cellText(value)));
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

/** Add an overlay to a layer control under a plain-text label. */
export function addOverlay(control, layer, label) {
  control.addOverlay(layer, escapeHtml(label));
}
