// The life-circle result on the map: a choropleth by coverage score, a per-category filter
// (covered / not covered within the tier distance) and the unreachable items.
import { getJSON } from "./api.js";
import { addOverlay, attributeTable } from "./dom.js";
import { scoreColour } from "./styles.js";
import { gettext, interpolate } from "./i18n.js";

export const COVERED_COLOUR = "#2e7d32";
export const UNCOVERED_COLOUR = "#c62828";

export function coverageStyle(feature) {
  const p = feature.properties;
  let fill = scoreColour(p.score);
  if (p.category) fill = p.covered ? COVERED_COLOUR : UNCOVERED_COLOUR;
  return { color: "#263238", weight: 0.6, fillColor: fill, fillOpacity: 0.75 };
}

function coveragePopup(p, categories) {
  const missing = Object.entries(p.missing || {})
    .map(([tier, cats]) => interpolate(gettext("%(minutes)s分钟：%(categories)s"), { minutes: tier, categories: cats.map((c) => categories[c] ?? c).join("、") || gettext("无") }))
    .join("；");
  const rows = [
    [gettext("区县"), p.district],
    [gettext("街道"), p.street],
    [gettext("居民"), p.residents],
    [gettext("覆盖得分"), p.score],
    [gettext("缺失必配设施"), missing],
  ];
  if (p.category) rows.push([interpolate(gettext("到%(category)s步行距离(m)"), { category: categories[p.category] ?? p.category }), p.distance_m ?? gettext("超出范围")]);
  return attributeTable(p.name, rows);
}

let shown = null; // the run on the map: {layer, unreachableLayer, filter, control}

export function runUrl(config, runId) {
  return config.lifecircle_latest.replace(/latest\/$/, `${runId}/`);
}

/** Show a life-circle run (the latest when runId is null); replaces the one shown before. */
export async function addLifeCircle(map, control, config, runId = null) {
  let run;
  try {
    run = await getJSON(runId ? runUrl(config, runId) : config.lifecircle_latest);
  } catch {
    return null; // no run yet
  }
  if (shown) {
    for (const l of [shown.layer, shown.unreachableLayer]) {
      shown.control.removeLayer(l);
      map.removeLayer(l);
    }
    shown.filter.remove();
  }
  const base = runUrl(config, run.id);
  const layer = L.geoJSON(null, {
    style: coverageStyle,
    onEachFeature: (f, l) => l.bindPopup(() => coveragePopup(f.properties, config.categories)),
  });
  const load = async (category) => {
    const data = await getJSON(`${base}communities.geojson`, category ? { category } : {});
    layer.clearLayers();
    layer.addData(data);
    document.body.dataset.lifecircleCategory = category || "";
    document.body.dataset.lifecircleFeatures = String(data.features.length);
  };
  await load("");
  addOverlay(control, layer, interpolate(gettext("生活圈覆盖得分（分析 #%(id)s）"), { id: run.id }));
  const unreachable = await getJSON(`${base}unreachable.geojson`);
  const unreachableLayer = L.geoJSON(unreachable, {
    pointToLayer: (f, latlng) =>
      L.circleMarker(latlng, { radius: 6, color: "#000", weight: 2, fillColor: "#ffeb3b", fillOpacity: 1 }),
    onEachFeature: (f, l) =>
      l.bindPopup(() =>
        attributeTable(f.properties.name || f.properties.code, [
          [gettext("类型"), f.properties.kind === "amenity" ? gettext("设施（未接入路网）") : gettext("小区（未接入路网）")],
          [gettext("类别"), f.properties.category],
          [gettext("距路网(m)"), f.properties.distance_to_network_m],
        ]),
      ),
  });
  addOverlay(control, unreachableLayer, interpolate(gettext("未接入路网（%(count)s）"), { count: unreachable.features.length }));

  const filter = L.control({ position: "topleft" });
  filter.onAdd = () => {
    const div = L.DomUtil.create("div", "legend lifecircle-filter");
    L.DomEvent.disableClickPropagation(div);
    const label = document.createElement("label");
    label.textContent = gettext("生活圈设施：");
    const select = document.createElement("select");
    select.id = "lifecircle-category";
    const all = document.createElement("option");
    all.value = "";
    all.textContent = gettext("全部（覆盖得分）");
    select.appendChild(all);
    for (const [code, name] of Object.entries(config.categories)) {
      const o = document.createElement("option");
      o.value = code;
      o.textContent = name;
      select.appendChild(o);
    }
    select.addEventListener("change", () => load(select.value));
    label.appendChild(select);
    div.appendChild(label);
    const legend = document.createElement("div");
    for (const [text, colour] of [[gettext("≥80 分"), scoreColour(80)], ["60–80", scoreColour(60)], ["40–60", scoreColour(40)], ["<40", scoreColour(0)], [gettext("已覆盖"), COVERED_COLOUR], [gettext("未覆盖"), UNCOVERED_COLOUR]]) {
      const row = document.createElement("div");
      const sw = document.createElement("i");
      sw.className = "sw";
      sw.style.background = colour;
      row.append(sw, document.createTextNode(text));
      legend.appendChild(row);
    }
    div.appendChild(legend);
    return div;
  };
  filter.addTo(map);
  shown = { layer, unreachableLayer, filter, control };
  document.body.dataset.lifecircleRun = String(run.id);
  return layer;
}
