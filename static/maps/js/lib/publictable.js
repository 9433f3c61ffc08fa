// The public map as a table (WCAG 2.1 AA, GB/T 37668-2019): the communities in the map's
// view that pass the page's filters, with sortable columns, pages of PAGE_SIZE rows and a
// button per row that opens the community's card and marks it on the map. The data are
// the public GeoJSON's allowlisted properties (/api/public/communities.geojson, the
// published snapshot); the table's rows, order and pages are pure functions below
// (tests/js/publictable.test.mjs), the DOM part is `publicTable`.
import { el } from "./dom.js";
import { compareCells, nextSort } from "./tables.js";
import { gettext, interpolate } from "./i18n.js";

export const PAGE_SIZE = 20;

/** The table's columns in order: [key, label]; the first names the row. */
export function tableColumns() {
  return [
    ["name", gettext("小区")],
    ["district_name", gettext("区县")],
    ["completion_year", gettext("建成年份")],
    ["households", gettext("户数")],
    ["stage_label", gettext("改造阶段")],
    ["progress", gettext("进度")],
  ];
}

/**
 * Rows of the table from GeoJSON features: `districts` maps a district code to its name,
 * `stages` the stage values to their labels in stage order (the page config's stages),
 * `keep` the filter predicate of the map (lib/publictiles.js communityFilter). Pure.
 */
export function tableRows(features, { districts = {}, stages = {}, keep = () => true } = {}) {
  const order = Object.keys(stages);
  const rows = [];
  for (const f of features) {
    const p = f.properties ?? {};
    if (!keep(p)) continue;
    const step = order.indexOf(p.stage);
    rows.push({
      code: String(p.code ?? f.id ?? ""),
      name: p.name ?? "",
      district: p.district ?? "",
      district_name: districts[p.district] ?? p.district ?? "",
      completion_year: p.completion_year ?? "",
      households: p.households ?? "",
      stage: p.stage ?? "",
      stage_label: stages[p.stage] ?? p.stage ?? "",
      // the stage's place in the renovation (1 … n); sorts the stage column too
      step: step < 0 ? 0 : step + 1,
      progress: step < 0 ? "—" : interpolate(gettext("%(step)s / %(steps)s"), { step: step + 1, steps: order.length }),
    });
  }
  return rows;
}

/** The value a column sorts by: the stage columns by the stage's order. Pure. */
function sortValue(row, key) {
  return key === "stage_label" || key === "progress" ? row.step : row[key];
}

/** Rows sorted by `sort` ({key, asc}); empty values last, ties by code. Pure. */
export function sortRows(rows, sort) {
  const { key, asc } = sort;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    const ex = x === "" || x === null || x === undefined;
    const ey = y === "" || y === null || y === undefined;
    if (ex !== ey) return ex ? 1 : -1;
    const c = ex ? 0 : compareCells(x, y);
    return (asc ? c : -c) || compareCells(a.code, b.code);
  });
}

/** Page `page` (1-based, clamped) of `rows`: {rows, page, pages, from, to, total}. Pure. */
export function pageOf(rows, page, size = PAGE_SIZE) {
  const total = rows.length;
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  const start = (p - 1) * size;
  const slice = rows.slice(start, start + size);
  return { rows: slice, page: p, pages, from: total ? start + 1 : 0, to: start + slice.length, total };
}

/** The page on which the row `code` stands (1 if absent). Pure. */
export function pageOfCode(rows, code, size = PAGE_SIZE) {
  const i = rows.findIndex((r) => r.code === code);
  return i < 0 ? 1 : Math.floor(i / size) + 1;
}

/**
 * The table view inside `root` (a <section> with a <table>, a pager and a status line).
 * `onOpen(row)` runs when a row's button is pressed (click, Enter or Space). Returns
 * {show(rows), select(code), current}.
 */
export function publicTable(root, { onOpen }) {
  const table = root.querySelector("table");
  const status = root.querySelector(".table-status");
  const prev = root.querySelector("button.page-prev");
  const next = root.querySelector("button.page-next");
  const columns = tableColumns();
  const state = { rows: [], sort: { key: "name", asc: true }, page: 1, selected: null };

  function header() {
    const tr = el("tr");
    for (const [key, label] of columns) {
      const th = el("th", null, `col-${key}`);
      th.scope = "col";
      if (state.sort.key === key) th.setAttribute("aria-sort", state.sort.asc ? "ascending" : "descending");
      const b = el("button", label, "sort");
      b.type = "button";
      b.dataset.key = key;
      const mark = el("span", state.sort.key === key ? (state.sort.asc ? "▲" : "▼") : "", "sort-mark");
      mark.setAttribute("aria-hidden", "true");
      b.appendChild(mark);
      b.addEventListener("click", () => {
        state.sort = nextSort(state.sort, key);
        state.page = 1;
        render();
      });
      th.appendChild(b);
      tr.appendChild(th);
    }
    table.tHead.replaceChildren(tr);
  }

  function render() {
    // the focus stays on the header or the row it was on (new rows come with each move)
    const active = table.contains(document.activeElement) ? document.activeElement : null;
    const focusedKey = active?.closest("thead") ? active.dataset.key : null;
    const focused = active?.closest("tr[data-code]")?.dataset.code;
    header();
    const sorted = sortRows(state.rows, state.sort);
    const view = pageOf(sorted, state.page);
    state.page = view.page;
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const row of view.rows) {
      const tr = el("tr");
      tr.dataset.code = row.code;
      if (row.code === state.selected) tr.setAttribute("aria-current", "true");
      for (const [key] of columns) {
        if (key === "name") {
          const th = el("th");
          th.scope = "row";
          const b = el("button", row.name, "row-open");
          b.type = "button";
          b.addEventListener("click", () => onOpen(row));
          th.appendChild(b);
          tr.appendChild(th);
        } else {
          const td = el("td", row[key], `col-${key}`);
          if (key === "stage_label") td.dataset.stage = row.stage;
          tr.appendChild(td);
        }
      }
      body.appendChild(tr);
    }
    if (!view.rows.length) {
      const td = el("td", gettext("视野内没有符合筛选条件的小区"), "empty");
      td.colSpan = columns.length;
      body.appendChild(el("tr")).appendChild(td);
    }
    status.textContent = view.total
      ? interpolate(gettext("第 %(page)s / %(pages)s 页，第 %(from)s–%(to)s 个，共 %(total)s 个小区"), view)
      : gettext("共 0 个小区");
    prev.disabled = view.page <= 1;
    next.disabled = view.page >= view.pages;
    root.dataset.page = String(view.page);
    root.dataset.rows = String(view.total);
    if (focusedKey) table.querySelector(`thead button[data-key="${focusedKey}"]`)?.focus();
    if (focused) body.querySelector(`tr[data-code="${CSS.escape(focused)}"] button`)?.focus();
  }

  prev.addEventListener("click", () => {
    state.page -= 1;
    render();
    if (prev.disabled) next.focus();
  });
  next.addEventListener("click", () => {
    state.page += 1;
    render();
    if (next.disabled) prev.focus();
  });

  return {
    show(rows) {
      state.rows = rows;
      render();
    },
    /** Mark the row of `code` (and turn to its page); null clears the mark. */
    select(code) {
      state.selected = code;
      if (code !== null && state.rows.some((r) => r.code === code)) state.page = pageOfCode(sortRows(state.rows, state.sort), code);
      render();
    },
    get rows() {
      return state.rows;
    },
  };
}
