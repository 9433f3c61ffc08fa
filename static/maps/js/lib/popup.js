// Popups and info panels built from DOM nodes: attribute text is never parsed as HTML.
import { gettext } from "./i18n.js";

export function attributeTable(title, rows) {
  const root = document.createElement("div");
  root.className = "popup";
  const h = document.createElement("h3");
  h.textContent = title ?? "";
  root.appendChild(h);
  const table = document.createElement("table");
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = label;
    const td = document.createElement("td");
    td.textContent = typeof value === "boolean" ? (value ? gettext("是") : gettext("否")) : String(value);
    tr.append(th, td);
    table.appendChild(tr);
  }
  root.appendChild(table);
  return root;
}
