// What every map draws under its layers: the configured online tiles (e.g. Tianditu,
// settings.MAP_TILES_URL), else the city's own basemap — water, rivers, parks, main
// roads and buildings from /api/public/basemap/{z}/{x}/{y}.mvt — drawn on a canvas by
// protomaps-leaflet (static/maps/vendor/protomaps-leaflet-5.1.0, the global
// `protomapsL`). Nothing here is fetched from outside the app.
import { tileLayer } from "./vectortiles.js";

// one entry per kind (and road class) of the tiles' `basemap` layer, bottom to top
export const BASEMAP_STYLE = [
  { kind: "water", fill: "#aacbe6" },
  { kind: "park", fill: "#cfe6bf", minzoom: 11 },
  { kind: "building", fill: "#e2dbd0", stroke: "#cbbfae", minzoom: 15 },
  { kind: "river", line: "#aacbe6", width: 2, minzoom: 11 },
  { kind: "road", classes: ["tertiary"], line: "#ffffff", width: 2, minzoom: 13 },
  { kind: "road", classes: ["secondary", "secondary_link"], line: "#fbe7a8", width: 3, minzoom: 11 },
  {
    kind: "road",
    classes: ["primary", "primary_link", "trunk", "trunk_link", "motorway", "motorway_link"],
    line: "#f5c56b",
    width: 4,
    minzoom: 9,
  },
];
export const BASEMAP_BACKGROUND = "#f4f1ea";

// A predicate over a tile feature's properties for one style entry (pure).
export function matches(entry, props) {
  if (props.kind !== entry.kind) return false;
  return !entry.classes || entry.classes.includes(props.class);
}

// line width in pixels by zoom: thin at city zoom, full width at street zoom (pure)
export function lineWidth(width, zoom) {
  if (zoom <= 11) return Math.max(1, width * 0.4);
  if (zoom <= 13) return width * 0.7;
  return width;
}

function rules(P) {
  return BASEMAP_STYLE.map((entry) => ({
    dataLayer: "basemap",
    minzoom: entry.minzoom,
    filter: (_zoom, feature) => matches(entry, feature.props),
    symbolizer: entry.line
      ? new P.LineSymbolizer({
          color: entry.line,
          width: (zoom) => lineWidth(entry.width, zoom),
          lineCap: "round",
          lineJoin: "round",
        })
      : new P.PolygonSymbolizer({ fill: entry.fill, stroke: entry.stroke || entry.fill, width: entry.stroke ? 0.5 : 0 }),
  }));
}

// Add the basemap to `map` from the page's `config.tiles`; returns the layer (or null).
// The city's own basemap is a member of the map's tile stack (lib/vectortiles.js): it
// is painted on the same canvas as the map's other tile layers, under them.
export function addBasemap(map, tiles) {
  if (!tiles) return null;
  if (tiles.url) {
    return L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 19 }).addTo(map);
  }
  const P = window.protomapsL;
  if (!tiles.basemap || !P) return null;
  const layer = tileLayer(map, {
    key: "basemap",
    // the internal maps' tile URL (one request per tile with their layers), else the
    // public basemap URL
    source: tiles.basemap.source ?? tiles.basemap.url,
    minzoom: 0,
    rules: rules(P),
    background: BASEMAP_BACKGROUND,
    attribution: tiles.basemap.attribution,
  });
  layer.addTo(map);
  document.body.dataset.basemap = "city";
  return layer;
}
