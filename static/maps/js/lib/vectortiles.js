// The big layers of the home and planner maps — walk network, communities, amenities,
// idle land, vacant housing, a run's network islands — from the app's own vector tiles
// (planner/tiles.py, PostGIS ST_AsMVT, /api/planner/tiles/…), drawn on a canvas by
// protomaps-leaflet (static/maps/vendor/protomaps-leaflet-5.1.0, the global `protomapsL`,
// also the basemap's renderer). Tiles hold every feature (no cap); each layer is in them
// from its own zoom, and the map says which layers wait for a closer zoom. A click picks
// the top feature under the pointer from the loaded tiles (protomaps-leaflet's
// queryTileFeaturesDebug); the caller reads its full record by id.
import { el } from "./dom.js";
import { IDLE_KIND_COLOURS, TIER_COLOURS, stageColour } from "./styles.js";
import { gettext, interpolate } from "./i18n.js";

export const TILE_PANE = "vectortiles";
// display zoom = data zoom + 1 (protomaps-leaflet draws 512 px data tiles on 256 px tiles)
const LEVEL_DIFF = 1;
const MAX_DATA_ZOOM = 16;
const PICK_RADIUS_PX = 6;

/** The walk segment's line colour and width (as walkStyle of the GeoJSON layer). Pure. */
export function walkLine(p) {
  const colour = p.kind === "bridge" ? "#1565c0" : p.is_barrier ? "#e53935" : "#78909c";
  const width = { arterial: 3, secondary: 2, bridge: 3 }[p.kind] ?? 1;
  return { colour, width };
}

/** Each tile layer's paint: polygons (fill), lines or circles, from the tile's properties. */
export const PAINT = {
  walk_network: { line: (p) => walkLine(p).colour, width: (p) => walkLine(p).width, opacity: 0.7 },
  communities: { fill: (p) => stageColour(p.stage), stroke: "#37474f", opacity: 0.6 },
  idle_land: { fill: (p) => IDLE_KIND_COLOURS[p.kind] ?? "#bcaaa4", stroke: "#5d4037", opacity: 0.55 },
  vacant_housing: { circle: () => "#ce93d8", stroke: "#4a148c", radius: 5 },
  amenities: { circle: (p) => TIER_COLOURS[p.tier] ?? "#000", stroke: "#ffffff", radius: 3 },
  islands: { line: () => "#ff6f00", width: () => 3, opacity: 0.9 },
};

/** The layers (keys) that wait for a closer zoom at `zoom`: [[key, zoom needed]]. Pure. */
export function hiddenAt(specs, zoom) {
  return specs.filter((s) => zoom < s.minzoom).map((s) => [s.key, s.minzoom]);
}

function symbolizer(P, paint) {
  if (paint.line) {
    return new P.LineSymbolizer({
      color: (_z, f) => paint.line(f.props),
      width: (_z, f) => paint.width(f.props),
      opacity: paint.opacity,
    });
  }
  if (paint.circle) {
    return new P.CircleSymbolizer({
      radius: paint.radius,
      fill: (_z, f) => paint.circle(f.props),
      stroke: paint.stroke,
      width: 1,
    });
  }
  return new P.PolygonSymbolizer({
    fill: (_z, f) => paint.fill(f.props),
    opacity: paint.opacity,
    stroke: paint.stroke,
    width: 0.6,
  });
}

function ensurePane(map) {
  if (!map.getPane(TILE_PANE)) {
    // above the basemap (tilePane 200), under the SVG overlays (overlayPane 400)
    map.createPane(TILE_PANE).style.zIndex = "350";
  }
}

/**
 * One tile layer. `spec`: {key, url (with {z}/{x}/{y}), minzoom (display zoom), label?}. The
 * layer's state is its own: `refresh()` asks the server again (after an edit);
 * `pick(latlng)` the top feature's properties under a point, or null.
 */
export function tileLayer(map, spec) {
  const P = window.protomapsL;
  ensurePane(map);
  let version = 0;
  const make = () =>
    P.leafletLayer({
      url: version ? `${spec.url}?v=${version}` : spec.url,
      maxDataZoom: MAX_DATA_ZOOM,
      levelDiff: LEVEL_DIFF,
      minZoom: spec.minzoom,
      paintRules: [{ dataLayer: spec.key, symbolizer: symbolizer(P, PAINT[spec.key]) }],
      labelRules: [],
      pane: TILE_PANE,
      attribution: "",
    });
  const group = L.layerGroup([make()]);
  const inner = () => group.getLayers()[0];
  const state = (value) => {
    document.body.dataset[`tiles_${spec.key}`] = value;
  };
  const watch = (layer) => {
    layer.on("loading", () => state("loading"));
    layer.on("load", () => state("loaded"));
  };
  watch(inner());
  group.spec = spec;
  group.refresh = () => {
    version += 1;
    const fresh = make();
    watch(fresh);
    group.clearLayers();
    group.addLayer(fresh);
  };
  group.pick = (latlng) => {
    if (!map.hasLayer(group) || map.getZoom() < spec.minzoom) return null;
    const found = inner().queryTileFeaturesDebug(latlng.lng, latlng.lat, PICK_RADIUS_PX);
    for (const hits of found.values()) {
      const hit = hits.find((h) => h.layerName === spec.key);
      if (hit) return { ...hit.feature.props };
    }
    return null;
  };
  return group;
}

/**
 * Clicks on the map's tile layers: the first layer of `layers` (top first) with a feature
 * under the pointer gets `onPick(spec, props, latlng)`. Clicks on SVG overlays (editable
 * shapes, results) are theirs.
 */
export function onTileClick(map, layers, onPick) {
  map.on("click", (e) => {
    if (e.originalEvent?.target?.classList?.contains("leaflet-interactive")) return;
    for (const layer of layers()) {
      const props = layer.pick(e.latlng);
      if (props) {
        onPick(layer.spec, props, e.latlng);
        return;
      }
    }
  });
}

/** A note on the map naming the switched-on layers that wait for a closer zoom. */
export function zoomNote(map, layers, labels) {
  const note = L.control({ position: "bottomleft" });
  note.onAdd = () => L.DomUtil.create("div", "status zoom-note");
  note.addTo(map);
  const update = () => {
    const on = layers().filter((l) => map.hasLayer(l)).map((l) => l.spec);
    const waiting = hiddenAt(on, map.getZoom());
    const node = note.getContainer();
    node.replaceChildren(
      ...waiting.map(([key, zoom]) =>
        el("div", interpolate(gettext("%(label)s：放大到 %(zoom)s 级显示"), { label: on.find((s) => s.key === key).label ?? labels[key] ?? key, zoom })),
      ),
    );
    node.hidden = waiting.length === 0;
    document.body.dataset.layersWaiting = waiting.map(([key]) => key).join(",");
  };
  map.on("zoomend overlayadd overlayremove", update);
  update();
  return update;
}
