// Sortable result tables: rows carry their values as data- attributes, a header click
// sorts by its data-key (numbers numerically, text in Chinese collation).
import { el } from "./dom.js";

/** Compare two cell values: numerically when both are numbers, else as Chinese text. Pure. */
export function compareCells(x, y) {
  const nx = Number(x);
  const ny = Number(y);
  return Number.isNaN(nx) || Number.isNaN(ny) ? String(x).localeCompare(String(y), "zh") : nx - ny;
}

/** The next sort of a table: ascending on a new key, flipped on the same key. Pure. */
export function nextSort(current, key) {
  return { key, asc: current.key === key ? !current.asc : true };
}

export function sortTable(table, key) {
  const tbody = table.tBodies[0];
  const { asc } = nextSort({ key: table.dataset.sortKey, asc: table.dataset.sortAsc === "1" }, key);
  const rows = [...tbody.rows].sort((a, b) => (asc ? 1 : -1) * compareCells(a.dataset[key], b.dataset[key]));
  table.dataset.sortKey = key;
  table.dataset.sortAsc = asc ? "1" : "0";
  tbody.replaceChildren(...rows);
}

/** Fill a table's body with rows (objects) in `columns` order and make it sortable.
 * With `id`, each row carries `data-id` (row[id]); with `onClick`, a click on a row
 * (or Enter on it) calls onClick(row). */
export function fillTable(table, rows, columns, { id, onClick } = {}) {
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  for (const row of rows) {
    const tr = el("tr");
    for (const key of columns) {
      tr.dataset[key] = String(row[key] ?? "");
      const td = el("td", String(row[key] ?? ""), `col-${key}`);
      if (td.textContent.length > 16) td.title = td.textContent; // a long cell shows whole on hover
      tr.appendChild(td);
    }
    if (id) tr.dataset.id = String(row[id] ?? "");
    if (onClick) {
      tr.classList.add("clickable");
      tr.tabIndex = 0;
      tr.onclick = () => onClick(row);
      tr.onkeydown = (e) => {
        if (e.key === "Enter") onClick(row);
      };
    }
    tbody.appendChild(tr);
  }
  table.hidden = false;
  for (const th of table.tHead.rows[0].cells) th.onclick = () => sortTable(table, th.dataset.key);
}

/** Replace a table's header with [key, label] columns (a click sorts by the key). */
export function setHeader(table, columns) {
  const tr = el("tr");
  for (const [key, label] of columns) {
    const th = el("th", label);
    th.dataset.key = key;
    tr.appendChild(th);
  }
  table.tHead.replaceChildren(tr);
}
