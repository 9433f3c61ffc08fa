// The big layers of the home and planner maps — walk network, communities, amenities,
// idle land, vacant housing, a run's network islands — from the app's own vector tiles
// (planner/tiles.py, PostGIS ST_AsMVT, /api/planner/tiles/…), drawn on a canvas by
// protomaps-leaflet (static/maps/vendor/protomaps-leaflet-5.1.0, the global `protomapsL`,
// also the basemap's renderer): all of a map's tile layers as one protomaps layer (one
// canvas per tile; the layers of one URL in one request). Tiles hold every feature (no cap); each layer is in them
// from its own zoom, and the map says which layers wait for a closer zoom. A click picks
// the top feature under the pointer from the loaded tiles (protomaps-leaflet's
// queryTileFeaturesDebug); the caller reads its full record by id.
import { el } from "./dom.js";
import { IDLE_KIND_COLOURS, TIER_COLOURS, scoreColour, stageColour } from "./styles.js";
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
  // a life-circle run's choropleth (the distance score; lifecircle.js may pass its own)
  results: { fill: (p) => scoreColour(p.score), stroke: "#263238", opacity: 0.75 },
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

/** The order the tile layers are painted in, bottom first: areas, lines, points. */
export const DRAW_ORDER = ["basemap", "communities", "results", "idle_land", "walk_network", "islands", "vacant_housing", "amenities"];

/**
 * The sources of the members on the map: one per URL template, the template's `{layer}`
 * filled with its members' keys joined by "+" (sorted: one URL per set, so the browser's
 * cache serves a set again), the members' query parameters (`run` of a life-circle
 * run's layers) and `v`, the sum of their versions after edits. Pure.
 */
export function stackSources(specs) {
  const groups = new Map();
  for (const s of specs) {
    const g = groups.get(s.source) ?? { keys: [], version: 0, query: {} };
    g.keys.push(s.key);
    g.version += s.version ?? 0;
    Object.assign(g.query, s.query ?? {});
    groups.set(s.source, g);
  }
  return [...groups.entries()].map(([template, g], i) => {
    const keys = [...g.keys].sort();
    const query = new URLSearchParams(Object.entries(g.query).sort());
    if (g.version) query.set("v", String(g.version));
    const q = query.toString();
    const url = template.replace("{layer}", keys.join("+")) + (q ? `?${q}` : "");
    return { name: `s${i}`, keys, url };
  });
}

/** The members' specs in paint order (DRAW_ORDER, unknown keys last). Pure. */
export function drawOrder(specs) {
  const rank = (k) => (DRAW_ORDER.includes(k) ? DRAW_ORDER.indexOf(k) : DRAW_ORDER.length);
  return [...specs].sort((a, b) => rank(a.key) - rank(b.key));
}

/** Which tile layer answers a click first: points, islands, plots, results, communities,
 * walk segments last (a line is hard to miss under a polygon). */
export const PICK_ORDER = ["amenities", "vacant_housing", "islands", "idle_land", "results", "communities", "walk_network"];

/** Tile layers (members) in PICK_ORDER. Pure. */
export function byPickOrder(layers) {
  const rank = (l) => (PICK_ORDER.includes(l.spec.key) ? PICK_ORDER.indexOf(l.spec.key) : PICK_ORDER.length);
  return [...layers].sort((a, b) => rank(a) - rank(b));
}

// one stack per map
const STACKS = new WeakMap();

/**
 * Every tile layer of a map drawn as ONE protomaps-leaflet layer: one canvas per display
 * tile and one request per tile and URL template (the server joins the layers of
 * `a+b+c`), instead of a canvas and a request per layer and tile — a pan at street zoom
 * with five tile layers painted five canvases per tile before. The members are empty
 * Leaflet layer groups, so the layer control switches them as any overlay; adding or
 * removing members rebuilds the drawn layer once (in a microtask).
 */
function stackOf(map) {
  if (STACKS.has(map)) return STACKS.get(map);
  const P = window.protomapsL;
  ensurePane(map);
  const on = new Set(); // the members on the map
  let drawn = null;
  let sources = [];
  let scheduled = false;
  const state = (keys, value) => {
    for (const key of keys) document.body.dataset[`tiles_${key}`] = value;
  };
  const build = () => {
    scheduled = false;
    if (drawn) map.removeLayer(drawn);
    drawn = null;
    sources = [];
    const specs = drawOrder([...on].map((m) => m.spec));
    if (!specs.length) return;
    sources = stackSources(specs);
    const sourceOf = Object.fromEntries(sources.flatMap((s) => s.keys.map((k) => [k, s.name])));
    const keys = specs.map((s) => s.key);
    drawn = P.leafletLayer({
      sources: Object.fromEntries(sources.map((s) => [s.name, { url: s.url, maxDataZoom: MAX_DATA_ZOOM, levelDiff: LEVEL_DIFF }])),
      minZoom: Math.min(...specs.map((s) => s.minzoom)),
      // a member with its own rules (the basemap: several per tile layer) or one rule
      paintRules: specs.flatMap((s) =>
        (s.rules ?? [{ dataLayer: s.key, minzoom: s.minzoom, symbolizer: symbolizer(P, s.paint ?? PAINT[s.key]) }]).map((r) => ({
          ...r,
          dataSource: sourceOf[s.key],
        })),
      ),
      backgroundColor: specs.find((s) => s.background)?.background,
      labelRules: [],
      pane: TILE_PANE,
      attribution: specs.map((s) => s.attribution).filter(Boolean).join(" | "),
    });
    drawn.on("loading", () => state(keys, "loading"));
    drawn.on("load", () => state(keys, "loaded"));
    state(keys, "loading");
    drawn.addTo(map);
  };
  const stack = {
    schedule() {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(build);
    },
    join(member) {
      on.add(member);
      stack.schedule();
    },
    leave(member) {
      on.delete(member);
      stack.schedule();
    },
    /** Paint the loaded tiles again (a member's paint changed; nothing is fetched). */
    repaint() {
      drawn?.rerenderTiles();
    },
    /** The top feature of layer `key` under a point, from the loaded tiles, or null. */
    pick(key, latlng) {
      if (!drawn) return null;
      const found = drawn.queryTileFeaturesDebug(latlng.lng, latlng.lat, PICK_RADIUS_PX);
      for (const hits of found.values()) {
        const hit = hits.find((h) => h.layerName === key);
        if (hit) return { ...hit.feature.props };
      }
      return null;
    },
  };
  STACKS.set(map, stack);
  return stack;
}

/**
 * One tile layer, a member of the map's stack. `spec`: {key, source (URL template with
 * {layer} and {z}/{x}/{y}), minzoom (display zoom), label?, paint?, query? (e.g. {run}),
 * rules? (its own paint rules), background?, attribution?}. `refresh()` asks the
 * server again (after an edit); `repaint()` paints again (its paint changed);
 * `pick(latlng)` the top feature's properties under a point, or null.
 */
export function tileLayer(map, spec) {
  const stack = stackOf(map);
  const member = L.layerGroup();
  member.spec = { version: 0, ...spec };
  member.on("add", () => stack.join(member));
  member.on("remove", () => stack.leave(member));
  member.refresh = () => {
    member.spec.version += 1;
    if (map.hasLayer(member)) stack.schedule();
  };
  member.repaint = () => stack.repaint();
  member.pick = (latlng) => {
    if (!map.hasLayer(member) || map.getZoom() < spec.minzoom) return null;
    return stack.pick(spec.key, latlng);
  };
  return member;
}

/**
 * Clicks on the map's tile layers: the first layer of `layers` in PICK_ORDER with a feature
 * under the pointer gets `onPick(spec, props, latlng)`. Clicks on SVG overlays (editable
 * shapes, results) are theirs.
 */
export function onTileClick(map, layers, onPick) {
  map.on("click", (e) => {
    if (e.originalEvent?.target?.classList?.contains("leaflet-interactive")) return;
    for (const layer of byPickOrder(layers())) {
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
