// Renovation blocks (连片改造片区) on the map: under the blocks theme one colour per block
// from a deterministic palette (./themes.js), under the others dark outlines over the
// theme; dashed when proposed and solid when accepted, a lock mark in the popup.
import { getJSON } from "./api.js";
import { urlFor } from "./urls.js";
import { addOverlay, attributeTable } from "./dom.js";
import { FILL_ALPHA, MARKS, blockColour, fills } from "./themes.js";
import { onTheme, themeOf } from "./mapkey.js";
import { paneFor } from "./order.js";
import { gettext, interpolate } from "./i18n.js";

// The block's number in its run: "R12-B007" → 7, "R12-B007-S1" → 7 * 31 + 1.
export function blockIndex(code) {
  const m = /B(\d+)(?:-S(\d+))?/.exec(String(code ?? ""));
  if (!m) return 0;
  return Number(m[1]) * (m[2] ? 31 : 1) + Number(m[2] ?? 0);
}

/** A block's style under `theme`: filled in its colour under the blocks theme, a dark
 * outline over any other. Pure. */
export function blockStyle(feature, theme = "blocks") {
  const p = feature.properties;
  const colour = blockColour(blockIndex(p.code));
  const on = fills(theme, "blocks");
  return {
    color: on ? colour : MARKS.block,
    weight: p.locked ? 3 : 2,
    dashArray: p.status === "accepted" ? null : "6 4",
    fillColor: colour,
    fillOpacity: on ? FILL_ALPHA * 0.7 : 0,
  };
}

/** A blocks GeoJSON layer of `map` styled by the map's theme (restyled on a change). */
export function blocksLayer(map, data, options = {}) {
  const layer = L.geoJSON(data, { ...options, pane: paneFor(map, "blocks"), style: (f) => blockStyle(f, themeOf(map)) });
  onTheme(map, () => {
    if (options.restyle) options.restyle(layer);
    else layer.setStyle((f) => blockStyle(f, themeOf(map)));
  });
  return layer;
}

const STATUS = { proposed: gettext("建议"), accepted: gettext("已确认") };

/** Yuan → 万元 with two decimals ("9022.21"); null stays null. Pure. */
export function wanYuan(yuan) {
  if (yuan === null || yuan === undefined || yuan === "") return null;
  return (Number(yuan) / 10000).toFixed(2);
}

/** Names for codes from a code → name map, joined with "、" (unknown codes as they are). Pure. */
export function namesOf(codes, names) {
  return (codes || []).map((c) => names?.[c] ?? c).join(gettext("、"));
}

/** The status in words, with the lock. Pure. */
export function statusText(p) {
  return `${STATUS[p.status] ?? p.status}${p.locked ? gettext("（已锁定）") : ""}`;
}

/** The facts of a block's popup and card as [label, value] rows: members by name,
 * shared gaps by facility name (config.categories), the estimate in 万元. Pure. */
export function blockFacts(p, config) {
  const years =
    p.completion_year_min && p.completion_year_max
      ? `${p.completion_year_min}–${p.completion_year_max}`
      : "";
  const cost = wanYuan(p.cost_estimate_yuan);
  return [
    [gettext("编码"), p.code],
    [gettext("状态"), statusText(p)],
    [gettext("小区数"), p.n_communities],
    [gettext("成员小区"), (p.member_names?.length ? p.member_names : p.member_codes || []).join(gettext("、"))],
    [gettext("户数"), p.households],
    [gettext("居民人数"), p.residents],
    [gettext("建筑面积（m²）"), p.floor_area_m2 ? Math.round(p.floor_area_m2) : null],
    [gettext("建成年份"), years],
    [gettext("C/D级危房栋数"), p.dangerous_buildings],
    [gettext("共同缺失设施"), namesOf(p.gaps_most, config?.categories)],
    [gettext("300 m 内闲置用地"), (p.idle_land || []).length || null],
    [gettext("300 m 内闲置公房"), (p.vacant_housing || []).length || null],
    [gettext("基础类改造估算"), cost === null ? null : interpolate(gettext("%(n)s 万元"), { n: cost })],
    [gettext("停车缺口"), blockParking(p.parking)],
  ];
}

/** A block's parking in words (its members' figures summed, blocks_parking), or null.
 * Pure. */
export function blockParking(b) {
  if (!b || !b.surveyed) return b ? gettext("车位未调查") : null;
  const figures = { s: b.shortage, d: b.demand, h: b.spaces };
  const text = b.shortage > 0 ? interpolate(gettext("缺 %(s)s 个（需求 %(d)s，现有 %(h)s）"), figures) : interpolate(gettext("无缺口（需求 %(d)s，现有 %(h)s）"), figures);
  const missing = b.communities - b.surveyed;
  return missing > 0 ? `${text}${interpolate(gettext("；%(n)s 个小区未调查"), { n: missing })}` : text;
}

/** Hang each block's parking figures (the collection's `parking`, by code) on its
 * feature. Pure (mutates `data`). */
export function withParking(data) {
  const parking = data.parking || {};
  for (const f of data.features || []) f.properties.parking = parking[f.properties.code] ?? null;
  return data;
}

export function blockPopup(p, config) {
  return attributeTable(p.name, blockFacts(p, config));
}

// Add the latest bundling run's blocks as an overlay (its URL from config.urls). Resolves
// to the layer, or null when there is no run yet.
export async function addBlocks(map, control, config) {
  let run;
  try {
    run = await getJSON(urlFor(config.urls, "blocks-run-latest"));
  } catch {
    return null;
  }
  const data = withParking(await getJSON(run.blocks_geojson));
  const layer = blocksLayer(map, data, {
    onEachFeature: (f, l) => l.bindPopup(() => blockPopup(f.properties, config)),
  });
  if (control) addOverlay(control, layer, interpolate(gettext("连片改造片区（分区 #%(id)s）"), { id: run.id }), "blocks");
  if (config.blocks_visible !== false) layer.addTo(map);
  document.body.dataset.blocksFeatures = String(data.features.length);
  return layer;
}
