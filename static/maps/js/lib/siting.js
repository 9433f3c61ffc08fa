// Idle plots for a missing amenity (Issue 7): the ranked candidates of the latest siting run
// as numbered markers (chosen sites highlighted); clicking one draws the communities it would
// newly serve. Popups and tooltips are DOM nodes with textContent only (dom.js).
import { getJSON } from "./api.js";
import { urlFor } from "./urls.js";
import { choiceLabel } from "./choices.js";
import { addOverlay, attributeTable, el } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

export const CHOSEN_COLOUR = "#6a1b9a";
export const CANDIDATE_COLOUR = "#546e7a";
export const SERVED_COLOUR = "#f57c00";

// vacant housing needs no owner's consent (public housing): a value of the siting only
const NOT_REQUIRED = gettext("无需征询（公房）");

function consentLabel(config, consent) {
  return consent === "not_required" ? NOT_REQUIRED : choiceLabel(config, "idle_land.consent", consent);
}

function layerLabel(config, kind) {
  return (config.layers ?? []).find((l) => l.key === kind)?.label ?? kind;
}

function numberIcon(rank, chosen) {
  const div = document.createElement("div");
  div.className = "siting-rank";
  div.textContent = String(rank);
  Object.assign(div.style, {
    background: chosen ? CHOSEN_COLOUR : CANDIDATE_COLOUR,
    color: "#fff",
    borderRadius: "50%",
    width: "22px",
    height: "22px",
    lineHeight: "22px",
    textAlign: "center",
    fontSize: "11px",
    fontWeight: "bold",
    border: chosen ? "2px solid #fff" : "1px solid #fff",
    boxShadow: "0 0 2px rgba(0,0,0,.6)",
  });
  return L.divIcon({ html: div, className: "", iconSize: [24, 24], iconAnchor: [12, 12] });
}

function anchor(feature) {
  // where the number goes: the point of a vacant house, the mean of a plot's outer ring
  const g = feature.geometry;
  if (!g) return null;
  if (g.type === "Point") return L.latLng(g.coordinates[1], g.coordinates[0]);
  const ring = g.type === "Polygon" ? g.coordinates[0] : g.coordinates[0][0];
  let x = 0;
  let y = 0;
  const n = ring.length > 1 ? ring.length - 1 : ring.length;
  for (let i = 0; i < n; i += 1) {
    x += ring[i][0];
    y += ring[i][1];
  }
  return L.latLng(y / n, x / n);
}

function candidatePopup(p, config) {
  const served = (p.served || [])
    .map((s) => interpolate(gettext("%(name)s（%(residents)s人，%(walk)s m）"), { name: s.name || s.code, residents: s.residents, walk: Math.round(s.walk_m) }))
    .join("；");
  const chosen = [p.chosen_exact ? gettext("精确解") : null, p.chosen_greedy ? gettext("贪心解") : null]
    .filter(Boolean)
    .join("、");
  return attributeTable(`#${p.rank} ${p.name || p.candidate_code}`, [
    [gettext("设施类别"), config.categories?.[p.category] ?? p.category],
    [gettext("候选类型"), layerLabel(config, p.candidate_kind)],
    [gettext("编码"), p.candidate_code],
    [gettext("用地类型"), choiceLabel(config, "idle_land.kind", p.kind)],
    [gettext("权属"), p.owner],
    [gettext("业主意见"), consentLabel(config, p.consent)],
    [gettext("面积(m²)"), p.area_m2 === null || p.area_m2 === undefined ? null : Math.round(p.area_m2)],
    [gettext("新增覆盖居民"), p.gain_residents],
    [gettext("新增覆盖小区"), p.gain_communities],
    [gettext("入选方案"), chosen || gettext("否")],
    [gettext("接入路网"), p.reachable],
    [gettext("服务小区"), served || gettext("无（周边已覆盖或无需求）")],
  ]);
}

export async function addSiting(map, control, config) {
  let runs;
  try {
    runs = await getJSON(urlFor(config.urls, "siting-runs"));
  } catch {
    return null;
  }
  const run = (runs || []).find((r) => r.status === "done");
  if (!run) return null;
  const data = await getJSON(urlFor(config.urls, "siting-candidates", { pk: run.id }), config.siting_limit ? { limit: config.siting_limit } : {});

  const served = L.layerGroup();
  const plots = L.geoJSON(null, {
    style: (f) => ({
      color: f.properties.chosen_exact || f.properties.chosen_greedy ? CHOSEN_COLOUR : CANDIDATE_COLOUR,
      weight: 1.5,
      fillOpacity: 0.25,
    }),
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 4 }),
  });
  const markers = L.layerGroup();

  // the communities a candidate would newly serve: a dot per community and a walk-line
  // (straight, for orientation only: the distance shown is the network walk)
  const showServed = (p, at) => {
    served.clearLayers();
    for (const s of p.served || []) {
      if (s.lat === undefined || s.lon === undefined) continue;
      const to = L.latLng(s.lat, s.lon);
      L.polyline([at, to], { color: SERVED_COLOUR, weight: 2, dashArray: "4 4" }).addTo(served);
      L.circleMarker(to, { radius: 7, color: "#fff", weight: 1.5, fillColor: SERVED_COLOUR, fillOpacity: 0.9 })
        .bindTooltip(el("span", interpolate(gettext("%(name)s：%(residents)s人，步行%(walk)s m"), { name: s.name || s.code, residents: s.residents, walk: Math.round(s.walk_m) })))
        .addTo(served);
    }
    document.body.dataset.sitingServed = String((p.served || []).length);
  };

  for (const f of data.features) {
    plots.addData(f);
    const at = anchor(f);
    if (!at) continue;
    const p = f.properties;
    const chosen = Boolean(p.chosen_exact || p.chosen_greedy);
    const m = L.marker(at, { icon: numberIcon(p.rank, chosen), zIndexOffset: chosen ? 1000 : 0, title: p.name || p.candidate_code });
    m.bindPopup(() => candidatePopup(p, config));
    m.on("click", () => showServed(p, at));
    m.on("popupclose", () => served.clearLayers());
    m.addTo(markers);
  }
  const group = L.layerGroup([plots, markers, served]);
  const cats = (run.parameters?.categories || []).map((c) => config.categories?.[c] ?? c).join("、");
  addOverlay(control, group, interpolate(gettext("闲置用地选址：%(categories)s（分析 #%(id)s）"), { categories: cats, id: run.id }));
  document.body.dataset.sitingCandidates = String(data.features.length);
  return group;
}
