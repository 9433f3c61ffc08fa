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
import { DEFAULT_THEME, MARKS, TIER_COLOURS, WALK_COLOURS, communityFill, resultFill } from "./themes.js";
import { orderOf, paintOrder } from "./order.js";
import { gettext, interpolate } from "./i18n.js";

export const TILE_PANE = "vectortiles";
// display zoom = data zoom + 1 (protomaps-leaflet draws 512 px data tiles on 256 px tiles)
const LEVEL_DIFF = 1;
const MAX_DATA_ZOOM = 16;
const PICK_RADIUS_PX = 6;

/** The walk segment's line colour and width (as walkStyle of the GeoJSON layer). Pure. */
export function walkLine(p) {
  const colour = p.kind === "bridge" ? WALK_COLOURS.bridge : p.is_barrier ? WALK_COLOURS.barrier : WALK_COLOURS.segment;
  const width = { arterial: 3, secondary: 2, bridge: 3 }[p.kind] ?? 1;
  return { colour, width };
}

/** Each tile layer's paint: polygons (fill: an rgba per feature, or hatch: lines of one
 * colour over the theme), lines or circles, from the tile's properties. The themed ones
 * (communities, results) take the map's theme; the maps pass their own with theirs. */
export const PAINT = {
  walk_network: { line: (p) => walkLine(p).colour, width: (p) => walkLine(p).width, opacity: 0.7 },
  communities: { fill: (p) => communityFill(p, DEFAULT_THEME), stroke: MARKS.outline },
  idle_land: { hatch: MARKS.idle, stroke: MARKS.idle },
  vacant_housing: { circle: () => "#ffffff", stroke: MARKS.vacant, radius: 4, square: true },
  amenities: { circle: (p) => TIER_COLOURS[p.tier] ?? "#000", stroke: "#ffffff", radius: 3 },
  islands: { line: () => "#ff6f00", width: () => 3, opacity: 0.9 },
  // a life-circle run's choropleth (the distance score; lifecircle.js passes its own)
  results: { fill: (p) => resultFill(p.score, "score"), stroke: "#263238" },
};

/** A repeating hatch (diagonal lines of `colour`) for the canvas, made once per colour. */
const HATCHES = new Map();
function hatch(colour) {
  if (!HATCHES.has(colour)) {
    const c = document.createElement("canvas");
    c.width = c.height = 8;
    const g = c.getContext("2d");
    g.strokeStyle = colour;
    g.lineWidth = 1.5;
    g.beginPath();
    for (const d of [-8, 0, 8]) {
      g.moveTo(d, 8);
      g.lineTo(d + 8, 0);
    }
    g.stroke();
    HATCHES.set(colour, c);
  }
  return HATCHES.get(colour);
}

/** The layers (keys) that wait for a closer zoom at `zoom`: [[key, zoom needed]]. Pure. */
export function hiddenAt(specs, zoom) {
  return specs.filter((s) => zoom < s.minzoom).map((s) => [s.key, s.minzoom]);
}

/** Lines of a colour and width per feature, drawn as protomaps-leaflet's symbolizers
 * are ({before, draw}), in batches: the features of one style, one after the other,
 * are one path stroked once (a style change or `flush()` strokes it). protomaps'
 * LineSymbolizer saves, restyles, restores and strokes the canvas for every feature:
 * ~2,000 walk segments per street-zoom data tile, each painted in the display tiles it
 * covers, where a stroke per style costs a few. `flush` is the `before` of a rule that
 * follows the line rule (see `lineRules`): protomaps calls no symbolizer after its last
 * feature. The path keeps its points where they were drawn (a canvas path is stored
 * transformed), so the flush after protomaps' restore strokes them in place. */
export function lineSymbolizer(paint) {
  let style = null; // the pending path's [colour, width], or null: nothing pending
  const stroke = (ctx) => {
    if (!style) return;
    ctx.strokeStyle = style[0];
    ctx.lineWidth = style[1];
    ctx.stroke();
    style = null;
  };
  return {
    before(ctx) {
      stroke(ctx);
      ctx.globalAlpha = paint.opacity ?? 1;
      ctx.lineCap = "butt";
      ctx.lineJoin = "miter";
    },
    draw(ctx, geom, _z, f) {
      const colour = paint.line(f.props);
      const width = paint.width(f.props);
      if (!style || style[0] !== colour || style[1] !== width) {
        stroke(ctx);
        style = [colour, width];
        ctx.beginPath();
      }
      for (const line of geom) {
        for (let i = 0; i < line.length; i++) {
          if (i === 0) ctx.moveTo(line[i].x, line[i].y);
          else ctx.lineTo(line[i].x, line[i].y);
        }
      }
    },
    /** Stroke what is pending (the end of a data tile's features). */
    flush(ctx) {
      ctx.globalAlpha = paint.opacity ?? 1;
      stroke(ctx);
    },
  };
}

/** The paint rules of a layer drawn with `sym`: its rule, and for a batched line
 * symbolizer a second one on the same data whose `before` strokes the last batch (it
 * draws nothing). Pure. */
export function lineRules(rule, sym) {
  const out = [{ ...rule, symbolizer: sym }];
  if (sym.flush) out.push({ ...rule, filter: () => false, symbolizer: { before: sym.flush, draw() {} } });
  return out;
}

function symbolizer(P, paint) {
  if (paint.line) return lineSymbolizer(paint);
  if (paint.hatch) {
    return new P.PolygonSymbolizer({ pattern: hatch(paint.hatch), opacity: 1, stroke: paint.stroke, width: 1.2 });
  }
  if (paint.square) {
    // a square mark (vacant housing), apart from the round facilities
    const r = paint.radius;
    return {
      draw: (ctx, geom, _z, f) => {
        const pt = geom[0][0];
        ctx.globalAlpha = 1;
        ctx.fillStyle = paint.circle(f.props);
        ctx.strokeStyle = paint.stroke;
        ctx.lineWidth = 1.5;
        ctx.fillRect(pt.x - r, pt.y - r, 2 * r, 2 * r);
        ctx.strokeRect(pt.x - r, pt.y - r, 2 * r, 2 * r);
      },
    };
  }
  if (paint.circle) {
    return new P.CircleSymbolizer({
      radius: paint.radius,
      fill: (_z, f) => paint.circle(f.props),
      stroke: paint.stroke,
      width: 1,
    });
  }
  // the fill is an rgba (transparent under a theme that is not the layer's): the outline
  // is drawn whole whichever theme colours the map
  return new P.PolygonSymbolizer({
    fill: (_z, f) => paint.fill(f.props),
    opacity: 1,
    stroke: paint.stroke,
    width: (_z, _f) => paint.width ?? 0.6,
  });
}

function ensurePane(map) {
  if (!map.getPane(TILE_PANE)) {
    // above the basemap (tilePane 200), under the SVG overlays (overlayPane 400)
    map.createPane(TILE_PANE).style.zIndex = "350";
  }
}

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

/** The members' specs in paint order, bottom first: the basemap, then `order` (the
 * maps' one overlay order, top first: config.overlay_order) from its bottom up. Pure. */
export function drawOrder(specs, order) {
  return paintOrder(specs, order);
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
  let holds = 0; // holdTiles: no build while > 0
  const state = (keys, value) => {
    for (const key of keys) document.body.dataset[`tiles_${key}`] = value;
  };
  const build = () => {
    scheduled = false;
    if (holds) return; // the release builds
    if (drawn) map.removeLayer(drawn);
    drawn = null;
    sources = [];
    const specs = drawOrder([...on].map((m) => m.spec), orderOf(map));
    if (!specs.length) return;
    sources = stackSources(specs);
    const sourceOf = Object.fromEntries(sources.flatMap((s) => s.keys.map((k) => [k, s.name])));
    const keys = specs.map((s) => s.key);
    document.body.dataset.tileOrder = keys.join(","); // bottom first, for the browser tests
    drawn = P.leafletLayer({
      sources: Object.fromEntries(sources.map((s) => [s.name, { url: s.url, maxDataZoom: MAX_DATA_ZOOM, levelDiff: LEVEL_DIFF }])),
      minZoom: Math.min(...specs.map((s) => s.minzoom)),
      // a member with its own rules (the basemap: several per tile layer) or one rule
      paintRules: specs.flatMap((s) =>
        (s.rules ?? lineRules({ dataLayer: s.key, minzoom: s.minzoom }, symbolizer(P, s.paint ?? PAINT[s.key]))).map((r) => ({
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
    /** Build nothing until the returned function is called (once; later calls do
     * nothing): members joining meanwhile are drawn in one build at the release. */
    hold() {
      holds += 1;
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        holds -= 1;
        if (!holds) stack.schedule();
      };
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
 * Hold the map's tile stack: layers added meanwhile are drawn in one build when the
 * returned function is called, instead of one build (and one set of tile requests)
 * per layer that arrives later. The planner's first view holds it until the latest
 * life-circle run's results have joined.
 */
export function holdTiles(map) {
  return stackOf(map).hold();
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
  /** New query parameters (e.g. {run, category}): its tiles are asked for again. */
  member.setQuery = (query) => {
    const same = JSON.stringify(query) === JSON.stringify(member.spec.query ?? {});
    member.spec.query = query;
    if (same) stack.repaint();
    else if (map.hasLayer(member)) stack.schedule();
  };
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
