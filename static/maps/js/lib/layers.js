// The overlays shared by the home page and the planner workspace. Which layers there are,
// their labels, URLs and whether they come as vector tiles come from the page's
// config.layers (planner/mapconfig.py); how each is drawn and what its popup shows is
// here, by layer key. The big layers are vector tiles (./vectortiles.js); the small ones
// (district and street boundaries) GeoJSON.
import { getJSON } from "./api.js";
import { urlFor } from "./urls.js";
import { PAINT, byPickOrder, tileLayer } from "./vectortiles.js";
import { addOverlay, attributeTable } from "./dom.js";
import { choiceLabel } from "./choices.js";
import { gettext, interpolate } from "./i18n.js";
import { MARKS, TIER_COLOURS, communityFill } from "./themes.js";
import { onTheme, themeOf } from "./mapkey.js";
import { paneFor } from "./order.js";
import { communityStyle, idleLandStyle, walkStyle } from "./styles.js";

function communityPopup(p, config) {
  return attributeTable(p.name, [
    [gettext("区县"), p.district],
    [gettext("街道"), p.street],
    [gettext("社区"), p.committee],
    [gettext("地址"), p.address],
    [gettext("建成年份"), p.completion_year],
    [gettext("房屋类型"), choiceLabel(config, "community.housing_type", p.housing_type)],
    [gettext("户数"), p.households],
    [gettext("居民"), p.residents],
    [gettext("改造阶段"), config.stages?.[p.stage] ?? p.stage],
  ]);
}

/** How each layer (by key) is drawn: style or point options, and its popup. */
export const RENDER = {
  districts: {
    style: () => ({ color: "#263238", weight: 3, fill: false }),
    popup: (p) => attributeTable(p.name, [[gettext("中心城区"), p.is_central]]),
  },
  streets: {
    style: () => ({ color: "#546e7a", weight: 1.5, dashArray: "6 4", fill: false }),
    popup: (p) => attributeTable(p.name, [[gettext("区县"), p.district]]),
  },
  walk_network: {
    style: walkStyle,
    popup: (p, config) =>
      attributeTable(p.name || gettext("路段"), [
        [gettext("类型"), choiceLabel(config, "walk_segment.kind", p.kind)],
        [gettext("长度(m)"), Math.round(p.length_m)],
      ]),
  },
  communities: { style: communityStyle, popup: communityPopup },
  idle_land: {
    style: idleLandStyle,
    popup: (p, config) =>
      attributeTable(p.name || gettext("闲置用地"), [
        [gettext("类型"), choiceLabel(config, "idle_land.kind", p.kind)],
        [gettext("面积(m²)"), Math.round(p.area_m2)],
        [gettext("权属"), p.owner],
        [gettext("业主意见"), choiceLabel(config, "idle_land.consent", p.consent)],
        [gettext("状态"), choiceLabel(config, "idle_land.status", p.status)],
      ]),
  },
  vacant_housing: {
    point: () => ({ radius: 4, color: MARKS.vacant, fillColor: "#ffffff", fillOpacity: 1, weight: 1.5 }),
    popup: (p, config) =>
      attributeTable(p.name || gettext("闲置公房"), [
        [gettext("地址"), p.address],
        [gettext("建筑面积(m²)"), p.floor_area_m2],
        [gettext("产权"), choiceLabel(config, "vacant_housing.owner_kind", p.owner_kind)],
        [gettext("状态"), choiceLabel(config, "vacant_housing.status", p.status)],
      ]),
  },
  amenities: {
    point: (p) => ({ radius: 3, weight: 0, fillColor: TIER_COLOURS[p.tier] ?? "#000", fillOpacity: 0.85 }),
    popup: (p, config) =>
      attributeTable(p.name || p.category_name, [
        [gettext("类别"), p.category_name],
        [gettext("生活圈"), choiceLabel(config, "amenity_category.tier_minutes", p.tier)],
      ]),
  },
};

// special works (四(四)2): areas or lines of other departments and the utilities
const WORKS_COLOUR = "#6a1b9a";
const CONFLICT_COLOUR = "#d50000";
function worksYears(p) {
  return p.start_year === p.end_year ? `${p.start_year}` : `${p.start_year}–${p.end_year}`;
}
RENDER.special_works = {
  style: () => ({ color: WORKS_COLOUR, weight: 3, dashArray: "6 3", fillColor: WORKS_COLOUR, fillOpacity: 0.12 }),
  popup: (p, config) =>
    attributeTable(p.name || p.code, [
      [gettext("类型"), choiceLabel(config, "special_work.kind", p.kind)],
      [gettext("实施部门"), p.department],
      [gettext("计划年度"), worksYears(p)],
      [gettext("状态"), choiceLabel(config, "special_work.status", p.status)],
    ]),
};
// the projects whose community or block a work of another year crosses, and those works
RENDER.special_work_conflicts = {
  style: (feature) =>
    feature.properties.role === "work"
      ? { color: CONFLICT_COLOUR, weight: 4, fillColor: CONFLICT_COLOUR, fillOpacity: 0.2 }
      : { color: CONFLICT_COLOUR, weight: 2.5, fillColor: CONFLICT_COLOUR, fillOpacity: 0.35 },
  popup: (p, config) =>
    p.role === "work"
      ? attributeTable(p.name || p.code, [
          [gettext("类型"), choiceLabel(config, "special_work.kind", p.kind)],
          [gettext("实施部门"), p.department],
          [gettext("计划年度"), worksYears(p)],
          [gettext("建议统筹年度"), p.joint_year],
        ])
      : attributeTable(p.name, [
          [gettext("小区或连片片区"), p.place],
          [gettext("改造计划年度"), p.year],
          [gettext("建议统筹年度"), p.joint_year],
          [gettext("专项工程"), p.works.join("、")],
          [gettext("需调整的专项工程"), p.reschedule.join("、") || "—"],
        ]),
};

// the walk-network components a life-circle run left out of snapping (tiles of the run)
RENDER.islands = {
  popup: (p) =>
    attributeTable(gettext("路网孤岛（未参与吸附）"), [
      [gettext("节点数"), p.nodes],
      [gettext("路段数"), p.edges],
      [gettext("长度(m)"), p.length_m],
      [gettext("最近路段在此的设施数"), p.amenities_nearest],
      [gettext("最近路段在此的小区出入点数"), p.access_points_nearest],
    ]),
};

// a life-circle run's score per community (tiles of the run; one category: lifecircle.js)
RENDER.results = {
  popup: (p) =>
    attributeTable(p.name, [
      [gettext("居民"), p.residents],
      [gettext("覆盖得分（有没有 / 够不够）"), `${p.score} / ${p.score_capacity ?? "—"}`],
      [gettext("可接入路网"), p.reachable ? gettext("是") : gettext("否")],
      // the category picked in the life-circle filter (the tiles carry its gaps)
      ...(p.covered === undefined
        ? []
        : [
            [gettext("步行距离(m)"), p.distance_m ?? gettext("超出范围")],
            [gettext("步行可达（有没有）"), p.covered ? gettext("是") : gettext("否")],
            ...(p.adequate === undefined ? [] : [[gettext("满足需求（够不够）"), p.adequate ? gettext("是") : gettext("否")]]),
          ]),
    ]),
};

/** A GeoJSON layer drawn as layer `key` is (in its pane of the maps' layer order when a
 * `map` is given). */
export function buildLayer(data, key, config = {}, map = null) {
  const render = RENDER[key] ?? {};
  const pane = map ? paneFor(map, key) : undefined;
  return L.geoJSON(data, {
    style: render.style,
    ...(pane ? { pane } : {}),
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, { ...(render.point?.(feature.properties) ?? { radius: 4 }), ...(pane ? { pane } : {}) }),
    onEachFeature: (feature, layer) => {
      if (render.popup) layer.bindPopup(() => render.popup(feature.properties, config));
    },
  });
}


/** The first view: the districts' extent the server gives (before any layer loads, so
 * that the tiles are asked for once, for the view the user sees). */
export function fitExtent(map, config) {
  const e = config.extent;
  if (e) map.fitBounds([[e[1], e[0]], [e[3], e[2]]], { animate: false }); // no zoom animation still running when the page says it is ready
}

/** The display zoom a tile layer starts at (its data zoom + protomaps' level difference). */
export function tileSpec(spec) {
  return { key: spec.key, label: spec.label, source: spec.tile.source, minzoom: spec.tile.min_zoom + 1 };
}

/** The communities' tile layer: filled by stage under the stage theme, outlines under
 * the others; it repaints (nothing fetched) when the map's theme changes. */
function communityLayer(map, spec) {
  const layer = tileLayer(map, { ...tileSpec(spec), paint: { ...PAINT.communities, fill: (p) => communityFill(p, themeOf(map)) } });
  onTheme(map, () => layer.repaint());
  return layer;
}

/**
 * Add the config's layers that `include` accepts to the map and the layer control (which
 * lists them in the maps' one order, mapkey.js overlayControl, whichever answers first).
 * A layer that fails is named in `status` (an element) and the others still load.
 * Resolves to the tile layers, in the order they answer clicks.
 */
export async function addLayers(map, control, config, { include = () => true, counts = false, status = null } = {}) {
  let loaded = 0;
  const tiled = [];
  await Promise.all(
    config.layers.filter(include).map(async (spec) => {
      try {
        if (spec.tile) {
          const layer = spec.key === "communities" ? communityLayer(map, spec) : tileLayer(map, tileSpec(spec));
          addOverlay(control, layer, spec.label, spec.key);
          if (spec.on) layer.addTo(map);
          tiled.push(layer);
        } else {
          const data = await getJSON(spec.url);
          const layer = buildLayer(data, spec.key, config, map);
          const label = counts ? interpolate(gettext("%(label)s（%(count)s）"), { label: spec.label, count: data.features.length }) : spec.label;
          addOverlay(control, layer, label, spec.key);
          if (spec.on) layer.addTo(map);
        }
      } catch (err) {
        if (status) status.textContent = interpolate(gettext("图层加载失败：%(label)s"), { label: spec.label });
        console.error(err);
      }
      loaded += 1;
      document.body.dataset.layersLoaded = String(loaded);
    }),
  );
  return byPickOrder(tiled);
}

/** The popup of a tile feature: its full record read by id when the layer has one. */
export async function featurePopup(config, key, props) {
  const spec = config.layers.find((l) => l.key === key);
  let p = props;
  if (spec?.detail) {
    const feature = await getJSON(urlFor(config.urls, "planner-feature", { kind: spec.detail, code: props.code }));
    p = feature.properties;
  }
  return RENDER[key].popup(p, config);
}
