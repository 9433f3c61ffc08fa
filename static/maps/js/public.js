// Public progress map: communities by renovation stage (vector tiles, lib/publictiles.js),
// filters, search and a card.
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

const config = JSON.parse(document.getElementById("map-config").textContent);
const voiceConfig = document.getElementById("voice-config");
const voice = voiceConfig ? JSON.parse(voiceConfig.textContent) : null;
const form = document.getElementById("filters");
const cardBox = document.getElementById("card");
const results = document.getElementById("search-results");

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

async function openCard(code) {
  cardBox.hidden = false;
  cardBox.textContent = gettext("加载中…");
  try {
    const card = await getJSON(config.api.card.replace("CODE", encodeURIComponent(code)));
    cardBox.replaceChildren(renderCard(card, config, { onClose: () => { cardBox.hidden = true; } }));
    if (voice) cardBox.firstChild.appendChild(voiceSection(card.code, voice));
    cardBox.scrollIntoView({ block: "nearest" });
  } catch (err) {
    cardBox.textContent = err instanceof HTTPError && err.status === 404 ? gettext("未找到该小区") : gettext("加载失败");
  }
}

function addLegend(map) {
  legendControl(map, [{ title: gettext("改造阶段"), entries: legendEntries(STAGE_COLOURS, config.stages) }]);
}

async function init(map) {
  publishBounds(map); // data-bounds / data-zoom on the map, as on the other maps
  localiseControls(map);
  addBasemap(map, config.tiles);
  addLegend(map);
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
  const refilter = () => {
    keep = communityFilter(filterParams());
    tiles.repaint();
    document.body.dataset.filter = JSON.stringify(filterParams());
  };
  form.addEventListener("change", refilter);
  form.addEventListener("submit", (ev) => ev.preventDefault());
  map.on("click", (ev) => {
    const p = tiles.pick(ev.latlng);
    if (!p) return;
    document.body.dataset.picked = p.code;
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
        b.addEventListener("click", () => {
          map.setView([h.lat, h.lon], Math.max(map.getZoom(), 16));
          openCard(h.code);
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

window.addEventListener("map:init", (e) => init(e.detail.map));
