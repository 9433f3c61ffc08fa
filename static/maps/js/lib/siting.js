// Idle plots for a missing amenity (Issue 7): the ranked candidates of the latest siting run
// as numbered markers (chosen sites highlighted); clicking one draws the communities it would
// newly serve. Popups and tooltips are DOM nodes with textContent only (dom.js).
import { getJSON } from "./api.js";
import { urlFor } from "./urls.js";
import { choiceLabel } from "./choices.js";
import { addOverlay, attributeTable, el } from "./dom.js";
import { SITE_COLOURS } from "./themes.js";
import { paneFor } from "./order.js";
import { gettext, interpolate } from "./i18n.js";

export const CHOSEN_COLOUR = SITE_COLOURS.chosen;
export const CANDIDATE_COLOUR = SITE_COLOURS.candidate;
export const SERVED_COLOUR = SITE_COLOURS.served;

// vacant housing needs no owner's consent (public housing): a value of the siting only
const NOT_REQUIRED = gettext("无需征询（公房）");

function consentLabel(config, consent) {
  return consent === "not_required" ? NOT_REQUIRED : choiceLabel(config, "idle_land.consent", consent);
}

function layerLabel(config, kind) {
  return CANDIDATE_KINDS[kind] ?? (config.layers ?? []).find((l) => l.key === kind)?.label ?? kind;
}

function numberIcon(rank, chosen) {
  // chosen sites: a large purple badge with a white ring; other candidates: small, grey
  // and faded, so that the few chosen stand out among hundreds of candidates
  const size = chosen ? 30 : 16;
  const div = document.createElement("div");
  div.className = chosen ? "siting-rank siting-chosen" : "siting-rank";
  div.textContent = chosen ? `★${rank}` : String(rank);
  Object.assign(div.style, {
    background: chosen ? CHOSEN_COLOUR : CANDIDATE_COLOUR,
    color: "#fff",
    borderRadius: "50%",
    width: `${size}px`,
    height: `${size}px`,
    lineHeight: `${size}px`,
    textAlign: "center",
    fontSize: chosen ? "12px" : "9px",
    fontWeight: "bold",
    opacity: chosen ? "1" : "0.7",
    border: chosen ? "3px solid #fff" : "1px solid #fff",
    boxShadow: chosen ? "0 0 0 2px #6a1b9a, 0 0 6px rgba(0,0,0,.7)" : "0 0 1px rgba(0,0,0,.5)",
  });
  const box = size + (chosen ? 6 : 2);
  return L.divIcon({ html: div, className: "", iconSize: [box, box], iconAnchor: [box / 2, box / 2] });
}

/** Is a candidate chosen by either method? Pure. */
export function isChosen(p) {
  return Boolean(p.chosen_exact || p.chosen_greedy);
}

const AREA_BASIS = { site: gettext("用地面积"), floor: gettext("建筑面积") };
const CANDIDATE_KINDS = { idle_land: gettext("闲置用地"), vacant_housing: gettext("闲置公房") };

/** A candidate's kind in words: an idle plot's kind (空地, 边角地 …), "闲置公房" for a
 * vacant house. Pure. */
export function kindLabel(config, kind) {
  return CANDIDATE_KINDS[kind] ?? choiceLabel(config, "idle_land.kind", kind);
}

/** A candidate's owner: a vacant house's owner kind in words (公房, 单位用房 …), an idle
 * plot's owner as recorded. Pure. */
export function ownerLabel(config, p) {
  return p.candidate_kind === "vacant_housing" ? choiceLabel(config, "vacant_housing.owner_kind", p.owner) : p.owner;
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
    .join(gettext("；"));
  const chosen = [p.chosen_exact ? gettext("精确解") : null, p.chosen_greedy ? gettext("贪心解") : null]
    .filter(Boolean)
    .join(gettext("、"));
  return attributeTable(`#${p.rank} ${p.name || p.candidate_code}`, [
    [gettext("设施类别"), config.categories?.[p.category] ?? p.category],
    [gettext("候选类型"), layerLabel(config, p.candidate_kind)],
    [gettext("编码"), p.candidate_code],
    [gettext("用地类型"), kindLabel(config, p.kind)],
    [gettext("权属"), ownerLabel(config, p)],
    [gettext("业主意见"), consentLabel(config, p.consent)],
    [gettext("面积(m²)"), p.area_m2 === null || p.area_m2 === undefined ? null : `${Math.round(p.area_m2)}${p.area_basis ? `（${AREA_BASIS[p.area_basis] ?? p.area_basis}）` : ""}`],
    [gettext("新增覆盖居民"), p.gain_residents],
    [gettext("新增覆盖小区"), p.gain_communities],
    [gettext("可建停车位"), p.parking_spaces],
    [gettext("改作停车可减缺口"), p.prefer_parking ? `${p.parking_gap_reduced}（${gettext("宜作停车")}）` : p.parking_gap_reduced],
    [gettext("入选方案"), chosen || gettext("否")],
    [gettext("接入路网"), p.reachable ? gettext("是") : gettext("否")],
    [gettext("服务小区"), served || gettext("无（周边已覆盖或无需求）")],
  ]);
}

/** The latest finished siting run (or run `runId`) as an overlay: the candidates faded,
 * the chosen sites large and distinct. Resolves to the layer group, with `run`,
 * `candidates` and `chosen`
 * (the chosen candidates' properties, best first) and `focusSite(id)` (zoom to a site and
 * open its popup); or null when there is no finished run. */
export async function addSiting(map, control, config, { runId = null, visible = false } = {}) {
  let run;
  try {
    run = runId
      ? await getJSON(urlFor(config.urls, "siting-run", { pk: runId }))
      : ((await getJSON(urlFor(config.urls, "siting-runs"))) || []).find((r) => r.status === "done");
  } catch {
    return null;
  }
  if (!run) return null;
  const data = await getJSON(urlFor(config.urls, "siting-candidates", { pk: run.id }), config.siting_limit ? { limit: config.siting_limit } : {});

  const served = L.layerGroup();
  // the plots as outlines over the map's theme (the numbered markers say which is which)
  const pane = paneFor(map, "siting");
  const plots = L.geoJSON(null, {
    pane,
    style: (f) =>
      isChosen(f.properties)
        ? { color: CHOSEN_COLOUR, weight: 3, fillOpacity: 0 }
        : { color: CANDIDATE_COLOUR, weight: 1, dashArray: "3 3", fillOpacity: 0 },
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { pane, radius: 4 }),
  });
  const markers = L.layerGroup();

  // the communities a candidate would newly serve: a dot per community and a walk-line
  // (straight, for orientation only: the distance shown is the network walk)
  const showServed = (p, at) => {
    served.clearLayers();
    for (const s of p.served || []) {
      if (s.lat === undefined || s.lon === undefined) continue;
      const to = L.latLng(s.lat, s.lon);
      L.polyline([at, to], { pane, color: SERVED_COLOUR, weight: 2, dashArray: "4 4" }).addTo(served);
      L.circleMarker(to, { pane, radius: 7, color: "#fff", weight: 1.5, fillColor: SERVED_COLOUR, fillOpacity: 0.9 })
        .bindTooltip(el("span", interpolate(gettext("%(name)s：%(residents)s人，步行%(walk)s m"), { name: s.name || s.code, residents: s.residents, walk: Math.round(s.walk_m) })))
        .addTo(served);
    }
    document.body.dataset.sitingServed = String((p.served || []).length);
  };

  const sites = new Map(); // candidate id → {marker, at, p}
  for (const f of data.features) {
    plots.addData(f);
    const at = anchor(f);
    if (!at) continue;
    const p = f.properties;
    const chosen = isChosen(p);
    const m = L.marker(at, { icon: numberIcon(p.rank, chosen), zIndexOffset: chosen ? 1000 : 0, title: p.name || p.candidate_code });
    m.bindPopup(() => candidatePopup(p, config));
    m.on("click", () => showServed(p, at));
    m.on("popupclose", () => served.clearLayers());
    m.addTo(markers);
    sites.set(p.id, { marker: m, at, p });
  }
  const group = L.layerGroup([plots, markers, served]);
  const cats = (run.parameters?.categories || []).map((c) => config.categories?.[c] ?? c).join(gettext("、"));
  addOverlay(control, group, interpolate(gettext("闲置用地选址：%(categories)s（分析 #%(id)s）"), { categories: cats, id: run.id }), "siting");
  if (visible) group.addTo(map);
  group.run = run;
  group.candidates = data.features.map((f) => f.properties);
  group.chosen = group.candidates.filter(isChosen);
  group.focusSite = (id) => {
    const site = sites.get(id);
    if (!site) return;
    if (!map.hasLayer(group)) group.addTo(map);
    map.setView(site.at, Math.max(map.getZoom(), 16), { animate: false });
    site.marker.openPopup();
    showServed(site.p, site.at);
    document.body.dataset.sitingFocused = String(id);
  };
  document.body.dataset.sitingCandidates = String(data.features.length);
  document.body.dataset.sitingChosen = String(group.chosen.length);
  return group;
}

/** The planner's trade-off of a siting run in words (its summary's `parking`): what the
 * chosen sites serve as amenities against the parking shortage the same plots could take
 * off, and under a weight how many candidates are better used for parking; "" when the
 * run has no parking figures. Pure. */
export function parkingTradeoff(parking, candidates = []) {
  if (!parking) return "";
  const t = parking.tradeoff?.exact ?? parking.tradeoff?.greedy;
  const parts = [];
  if (t) {
    parts.push(
      interpolate(
        gettext("推荐的 %(sites)s 处用作设施：新增服务 %(residents)s 名居民；若改作停车：可建 %(spaces)s 个车位，步行 %(walk)s m 内小区的停车缺口最多减少 %(reduced)s 个。"),
        { sites: t.sites, residents: Math.round(t.residents_served ?? 0), spaces: t.parking_spaces, walk: parking.walk_m, reduced: t.parking_gap_reduced },
      ),
    );
  }
  parts.push(
    interpolate(gettext("全市停车缺口 %(total)s 个（%(short)s 个小区有缺口，%(unsurveyed)s 个小区车位未调查）。"), {
      total: parking.shortage_total,
      short: parking.communities_short,
      unsurveyed: parking.communities_unsurveyed,
    }),
  );
  if (parking.weight > 0) {
    const codes = new Set(candidates.filter((p) => p.prefer_parking).map((p) => p.candidate_code));
    parts.push(interpolate(gettext("停车权重 %(w)s：%(n)s 处候选用地宜作停车。"), { w: parking.weight, n: codes.size }));
  }
  const r = parking.ratios;
  if (r) parts.push(interpolate(gettext("需求配比：%(version)s（%(from)s 起），%(source)s"), { version: r.version, from: r.effective_from, source: r.source }));
  return parts.join(" ");
}
