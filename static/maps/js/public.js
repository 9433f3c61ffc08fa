// Public progress map: communities by renovation stage (vector tiles, lib/publictiles.js),
// filters, search and a card; the same communities as a keyboard-operable table
// (lib/publictable.js). Escape closes the card and gives the focus back to what opened it.
import { HTTPError, getJSON } from "./lib/api.js";
import { renderCard } from "./lib/card.js";
import { el, legendControl } from "./lib/dom.js";
import { addBasemap } from "./lib/basemap.js";
import { communityFilter, publicTiles } from "./lib/publictiles.js";
import { legendEntries } from "./lib/styles.js";
import { STAGE_COLOURS, UNKNOWN_STAGE } from "./lib/themes.js";
import { gettext, interpolate } from "./lib/i18n.js";
import { publishBounds } from "./lib/view.js";
import { localiseControls } from "./lib/drawlocal.js";
import { voiceSection } from "./lib/voice.js";
import { publicTable, tableRows } from "./lib/publictable.js";
import { SWATCH_EDGE } from "./lib/contrast.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const voiceConfig = document.getElementById("voice-config");
const voice = voiceConfig ? JSON.parse(voiceConfig.textContent) : null;
const form = document.getElementById("filters");
const cardBox = document.getElementById("card");
const results = document.getElementById("search-results");
const tableBox = document.getElementById("table-view");
const toggle = document.getElementById("table-toggle");
const districtNames = Object.fromEntries((config.districts ?? []).map((d) => [d.code, d.name]));
// what opened the card (an element, or a function that finds it again: the table's rows
// are rebuilt as the map moves): the focus goes back to it when the card closes
let opener = null;

for (const sw of document.querySelectorAll("i.sw[data-stage]")) {
  sw.style.background = STAGE_COLOURS[sw.dataset.stage] ?? UNKNOWN_STAGE;
}

function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

function filterParams() {
  const params = {};
  const district = form.district.value;
  if (district) params.district = district;
  const yMin = form.year_min.value;
  const yMax = form.year_max.value;
  if (yMin) params.year_min = yMin;
  if (yMax) params.year_max = yMax;
  const all = [...form.querySelectorAll("input[name=stage]")];
  const on = all.filter((c) => c.checked).map((c) => c.value);
  if (on.length < all.length) params.stage = on.length ? on.join(",") : "none";
  return params;
}

let onCardClosed = () => {};

function closeCard() {
  const inside = cardBox.contains(document.activeElement);
  cardBox.hidden = true;
  onCardClosed();
  const back = typeof opener === "function" ? opener() : opener;
  if (back && document.contains(back)) back.focus();
  else if (inside) document.getElementById("map").focus(); // opened from the map
  opener = null;
}

/** Open the card of `code`; with `focus` (a keyboard user's action) the focus moves to its
 * title, and back to `opener` when it closes. */
async function openCard(code, { focus = false } = {}) {
  cardBox.hidden = false;
  cardBox.textContent = gettext("加载中…");
  try {
    const card = await getJSON(config.api.card.replace("CODE", encodeURIComponent(code)));
    cardBox.replaceChildren(renderCard(card, config, { onClose: closeCard }));
    if (voice) cardBox.firstChild.appendChild(voiceSection(card.code, voice));
    cardBox.scrollIntoView({ block: "nearest" });
    if (focus) {
      const title = cardBox.querySelector(".card-name");
      title.tabIndex = -1;
      title.focus();
    }
  } catch (err) {
    cardBox.textContent = err instanceof HTTPError && err.status === 404 ? gettext("未找到该小区") : gettext("加载失败");
  }
}

document.addEventListener("keydown", (ev) => {
  if (ev.key !== "Escape" || cardBox.hidden) return;
  ev.preventDefault();
  closeCard();
});

function addLegend(map) {
  legendControl(map, [{ title: gettext("改造阶段"), entries: legendEntries(STAGE_COLOURS, config.stages) }]);
}

async function init(map) {
  publishBounds(map); // data-bounds / data-zoom on the map, as on the other maps
  localiseControls(map);
  addBasemap(map, config.tiles);
  addLegend(map);
  // the map is a named region: arrows pan it, + and - zoom (Leaflet's keyboard handler)
  const box = map.getContainer();
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", gettext("改造进度地图（方向键平移，+ / - 缩放；同样的小区见表格视图）"));
  const status = L.control({ position: "bottomleft" });
  status.onAdd = () => L.DomUtil.create("div", "status");
  status.addTo(map);

  const e = config.extent;
  if (e) map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { animate: false }); // no zoom animation still running when the page says it is ready
  // communities and district outlines from the public vector tiles; the filters repaint
  let keep = communityFilter(filterParams());
  const tiles = publicTiles(map, config.api, () => keep);
  const note = () => {
    const below = map.getZoom() < tiles.minzoom;
    status.getContainer().textContent = below ? interpolate(gettext("放大到 %(zoom)s 级显示小区"), { zoom: tiles.minzoom }) : "";
    status.getContainer().hidden = !below;
  };
  map.on("zoomend", note);
  note();
  const view = tableView(map, () => keep);
  const refilter = () => {
    keep = communityFilter(filterParams());
    tiles.repaint();
    view.refilter();
    document.body.dataset.filter = JSON.stringify(filterParams());
  };
  form.addEventListener("change", refilter);
  form.addEventListener("submit", (ev) => ev.preventDefault());
  map.on("click", (ev) => {
    const p = tiles.pick(ev.latlng);
    if (!p) return;
    document.body.dataset.picked = p.code;
    opener = null;
    view.select(p.code);
    openCard(p.code);
  });

  const search = debounce(async () => {
    const q = form.q.value.trim();
    results.replaceChildren();
    if (!q) return;
    try {
      const hits = await getJSON(config.api.search, { q });
      for (const h of hits) {
        const li = el("li");
        const b = el("button", interpolate(gettext("%(name)s（%(district)s）"), { name: h.name, district: h.district_name }), "search-hit");
        b.type = "button";
        b.addEventListener("click", (ev) => {
          map.setView([h.lat, h.lon], Math.max(map.getZoom(), 16));
          opener = b;
          // a button pressed from the keyboard fires a click without a pointer (detail 0)
          openCard(h.code, { focus: ev.detail === 0 });
        });
        li.appendChild(b);
        results.appendChild(li);
      }
      if (!hits.length) results.appendChild(el("li", gettext("无匹配小区")));
    } catch (err) {
      console.error(err);
    }
  }, 250);
  form.q.addEventListener("input", search);
  document.body.dataset.mapReady = "1";
}

/**
 * The table view: the communities of the public GeoJSON (allowlisted properties of the
 * published snapshot) in the map's view, filtered as the map is; loaded when the view
 * opens and again after each move of the map while it is open. A row's button opens the
 * card and outlines the community on the map. `filter()` returns the map's predicate.
 */
function tableView(map, filter) {
  const table = publicTable(tableBox, { onOpen });
  let features = new Map();
  let highlight = null;
  let seq = 0;
  const isOpen = () => !tableBox.hidden;

  function show() {
    table.show(tableRows([...features.values()], { districts: districtNames, stages: config.stages, keep: filter() }));
  }

  async function load() {
    const mine = ++seq;
    const b = map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
    tableBox.dataset.state = "loading";
    let found = [];
    try {
      const zoom = Math.min(20, Math.max(0, Math.round(map.getZoom())));
      found = (await getJSON(config.api.communities, { bbox, zoom })).features;
    } catch (err) {
      // a view off the city answers 400: no community there
      if (!(err instanceof HTTPError && err.status === 400)) console.error(err);
    }
    if (mine !== seq) return;
    features = new Map(found.map((f) => [String(f.properties?.code ?? f.id), f]));
    show();
    tableBox.dataset.state = "ready";
    tableBox.dataset.loads = String(mine); // how many loads so far (the tests wait on it)
  }

  function mark(code) {
    highlight?.remove();
    highlight = null;
    const f = code === null ? null : features.get(code);
    if (!f || !f.geometry) return;
    highlight = L.featureGroup([
      L.geoJSON(f, { style: { color: "#ffffff", weight: 6, fill: false }, interactive: false }),
      L.geoJSON(f, { style: { color: SWATCH_EDGE, weight: 3, fill: false }, interactive: false }),
    ]).addTo(map);
  }

  function onOpen(row) {
    opener = () => tableBox.querySelector(`tr[data-code="${CSS.escape(row.code)}"] button`);
    document.body.dataset.picked = row.code;
    table.select(row.code);
    mark(row.code);
    openCard(row.code, { focus: true });
  }

  onCardClosed = () => mark(null);

  let timer;
  map.on("moveend", () => {
    if (!isOpen()) return;
    clearTimeout(timer);
    timer = setTimeout(load, 250);
  });
  toggle.addEventListener("click", () => {
    const open = !isOpen();
    toggle.setAttribute("aria-expanded", String(open));
    tableBox.hidden = !open;
    map.invalidateSize();
    if (open) {
      load();
      document.getElementById("table-title").focus();
    } else {
      mark(null);
    }
  });

  return {
    refilter() {
      if (isOpen()) show();
    },
    select(code) {
      if (!isOpen()) return;
      table.select(code);
      mark(code);
    },
  };
}

window.addEventListener("map:init", (e) => init(e.detail.map));
