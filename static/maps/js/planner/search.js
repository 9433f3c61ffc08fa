// The planner's search box (planner/search.py): communities by name, code, address and
// 社区, amenities by name or category, planning areas. The hits are listed by kind, each
// with its district and what matched; a pick hands the hit to `onPick` (planner.js
// selects the feature: outline, zoom to its bounds, its card). A combobox: the focus stays
// in the box, ArrowDown/ArrowUp move through the hits (aria-activedescendant), Enter picks
// the active hit or the first, Escape clears. The list is #search-results; each hit a
// button.search-hit with data-layer and data-code; the list's data-q the query answered.
import { getJSON } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { urlFor } from "../lib/urls.js";
import { gettext, interpolate } from "../lib/i18n.js";

const DEBOUNCE_MS = 200;

/** The kinds in the order they are listed, with their group heading. */
export const KINDS = ["community", "amenity", "planning_area"];
const HEADINGS = { community: () => gettext("小区"), amenity: () => gettext("配套设施"), planning_area: () => gettext("规划范围") };

/** The hits by kind, in KINDS order, each kind's hits in the server's order. Pure. */
export function groupHits(rows) {
  return KINDS.map((kind) => [kind, rows.filter((r) => r.layer === kind)]).filter(([, hits]) => hits.length);
}

/** The line under a hit's name: its district and what matched (社区, address) or its
 * category. Pure. */
export function hitDetail(r) {
  const parts = [r.district];
  if (r.layer === "community") {
    if (r.matched === "committee") parts.push(interpolate(gettext("社区：%(v)s"), { v: r.committee }));
    else if (r.matched === "address") parts.push(interpolate(gettext("地址：%(v)s"), { v: r.address }));
    else parts.push(r.committee || r.address);
  } else if (r.layer === "amenity") {
    parts.push(r.category_name);
  }
  return parts.filter(Boolean).join(" · ");
}

/** The active index after a move of `delta` through `n` hits (-1: none; wraps). Pure. */
export function moveIndex(index, n, delta) {
  if (!n) return -1;
  if (index < 0) return delta > 0 ? 0 : n - 1;
  return (index + delta + n) % n;
}

/** The search box `input`, its hits in `list`, messages in `status`. */
export function setupSearch(config, { input, list, status }, onPick) {
  let timer;
  let asked = 0; // the latest query sent: older answers are dropped
  let hits = [];
  let active = -1;
  let pending = null; // the answer to the query asked, while it is on its way
  let dirty = false; // typed since the last query asked

  const buttons = () => [...list.querySelectorAll("button.search-hit")];
  const setActive = (i) => {
    active = i;
    buttons().forEach((b, j) => b.setAttribute("aria-selected", String(j === i)));
    const b = buttons()[i];
    if (b) {
      input.setAttribute("aria-activedescendant", b.id);
      b.scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const show = (rows, q) => {
    hits = rows;
    list.replaceChildren();
    let n = 0;
    for (const [kind, group] of groupHits(rows)) {
      const box = el("div", null, "search-group");
      box.setAttribute("role", "group");
      const head = el("div", HEADINGS[kind](), "search-kind");
      head.id = `search-kind-${kind}`;
      box.setAttribute("aria-labelledby", head.id);
      box.appendChild(head);
      for (const r of group) {
        const b = el("button", null, "search-hit");
        b.type = "button";
        b.id = `search-hit-${n}`;
        b.tabIndex = -1;
        b.setAttribute("role", "option");
        b.dataset.layer = r.layer;
        b.dataset.code = r.code;
        b.dataset.index = String(n);
        b.append(el("span", r.name, "hit-name"), el("span", hitDetail(r), "hit-detail"));
        b.addEventListener("mousedown", (e) => e.preventDefault()); // the focus stays in the box
        b.addEventListener("click", () => pick(Number(b.dataset.index)));
        box.appendChild(b);
        n += 1;
      }
      list.appendChild(box);
    }
    list.hidden = n === 0;
    list.dataset.q = q; // the query these hits answer
    input.setAttribute("aria-expanded", String(n > 0));
    status.className = "messages";
    status.textContent = q && !n ? interpolate(gettext("没有找到“%(q)s”"), { q }) : "";
    setActive(-1);
  };
  const run = async () => {
    clearTimeout(timer);
    dirty = false;
    const q = input.value.trim();
    const ticket = ++asked;
    if (!q) {
      show([], "");
      pending = null;
      return;
    }
    pending = getJSON(urlFor(config.urls, "planner-search"), { q })
      .then((rows) => {
        if (ticket === asked) show(rows, q);
      })
      .catch((err) => {
        if (ticket !== asked) return;
        show([], "");
        status.className = "messages error";
        status.textContent = typeof err.body?.q === "string" ? err.body.q : gettext("搜索失败，请重试。");
      });
    await pending;
    document.body.dataset.searchDone = String(ticket);
  };
  const pick = (i) => {
    const r = hits[i];
    if (!r) return;
    setActive(i);
    onPick(r);
  };
  const clear = () => {
    clearTimeout(timer);
    dirty = false;
    input.value = "";
    asked += 1;
    show([], "");
  };

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", gettext("搜索结果"));
  list.hidden = true;
  input.addEventListener("input", () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", async (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setActive(moveIndex(active, hits.length, e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (dirty) await run(); // typed and not asked yet: ask now, then pick the first
      else await pending;
      pick(active >= 0 ? active : 0);
    } else if (e.key === "Escape") {
      e.preventDefault();
      clear();
    }
  });
  return { clear };
}
