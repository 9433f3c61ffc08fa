// Public progress map: communities by renovation stage, filters, search and a card.
import { HTTPError, getJSON } from "./lib/api.js";
import { renderCard } from "./lib/card.js";
import { el, legendControl } from "./lib/dom.js";
import { addBasemap } from "./lib/basemap.js";
import { STAGE_COLOURS, communityStyle, legendEntries } from "./lib/styles.js";
import { gettext, interpolate } from "./lib/i18n.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const form = document.getElementById("filters");
const cardBox = document.getElementById("card");
const results = document.getElementById("search-results");

for (const sw of document.querySelectorAll("i.sw[data-stage]")) {
  sw.style.background = STAGE_COLOURS[sw.dataset.stage] ?? "#607d8b";
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

function bboxParam(map) {
  const b = map.getBounds();
  const r = (v) => v.toFixed(5);
  return [r(Math.max(b.getWest(), -180)), r(Math.max(b.getSouth(), -90)), r(Math.min(b.getEast(), 180)), r(Math.min(b.getNorth(), 90))].join(",");
}

async function openCard(code) {
  cardBox.hidden = false;
  cardBox.textContent = gettext("加载中…");
  try {
    const card = await getJSON(config.api.card.replace("CODE", encodeURIComponent(code)));
    cardBox.replaceChildren(renderCard(card, config, { onClose: () => { cardBox.hidden = true; } }));
    cardBox.scrollIntoView({ block: "nearest" });
  } catch (err) {
    cardBox.textContent = err instanceof HTTPError && err.status === 404 ? gettext("未找到该小区") : gettext("加载失败");
  }
}

function addLegend(map) {
  legendControl(map, [{ title: gettext("改造阶段"), entries: legendEntries(STAGE_COLOURS, config.stages) }]);
}

async function init(map) {
  addBasemap(map, config.tiles);
  addLegend(map);
  const status = L.control({ position: "bottomleft" });
  status.onAdd = () => L.DomUtil.create("div", "status");
  status.addTo(map);

  const districts = L.geoJSON(null, { style: () => ({ color: "#263238", weight: 2, fill: false }), interactive: false }).addTo(map);
  const communities = L.geoJSON(null, {
    style: communityStyle,
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      layer.bindTooltip(() => el("span", interpolate(gettext("%(name)s（%(stage)s）"), { name: p.name, stage: config.stages[p.stage] ?? p.stage })));
      layer.on("click", () => openCard(p.code));
    },
  }).addTo(map);

  try {
    const d = await getJSON(config.api.districts, { zoom: 10 });
    districts.addData(d);
    if (d.features.length) map.fitBounds(districts.getBounds());
  } catch (err) {
    console.error(err);
  }

  let seq = 0;
  const reload = async () => {
    const mine = ++seq;
    const params = { ...filterParams(), bbox: bboxParam(map), zoom: String(map.getZoom()) };
    if (params.stage === "none") {
      communities.clearLayers();
      return;
    }
    try {
      const data = await getJSON(config.api.communities, params);
      if (mine !== seq) return;
      communities.clearLayers();
      communities.addData(data);
      status.getContainer().textContent = interpolate(gettext("小区 %(count)s 个"), { count: data.features.length });
    } catch (err) {
      if (mine !== seq) return;
      communities.clearLayers();
      status.getContainer().textContent = err instanceof HTTPError && err.status === 400 ? gettext("当前范围无数据") : gettext("加载失败");
    }
  };
  map.on("moveend", debounce(reload, 200));
  form.addEventListener("change", reload);
  form.addEventListener("submit", (e) => e.preventDefault());
  await reload();

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
