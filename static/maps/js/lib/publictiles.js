// The public map's communities and district outlines from the app's public vector tiles
// (public/tiles.py, /api/public/tiles/{z}/{x}/{y}.mvt: the allowlisted properties only),
// drawn on one canvas by protomaps-leaflet (the global `protomapsL`, as lib/vectortiles.js),
// coloured by stage and filtered in the browser (district, completion years, stages): a
// filter repaints the loaded tiles, it fetches nothing. A click picks the community under
// the pointer from the loaded tiles.
import { stageColour } from "./themes.js";
import { TILE_PANE } from "./vectortiles.js";

// display zoom = data zoom + 1 (512 px data tiles on 256 px display tiles)
const LEVEL_DIFF = 1;
const MAX_DATA_ZOOM = 16;
const PICK_RADIUS_PX = 4;

/**
 * The predicate of the filter form's values over a community's tile properties, as the
 * GeoJSON endpoint filters in SQL: `{district, year_min, year_max, stage}` (stage: comma
 * list, "none" for none; absent: every stage). A community without a completion year is
 * out once a year bound is set. Pure.
 */
export function communityFilter(params) {
  const stages = params.stage ? new Set(params.stage.split(",")) : null;
  const yMin = params.year_min ? Number(params.year_min) : null;
  const yMax = params.year_max ? Number(params.year_max) : null;
  return (p) => {
    if (params.district && p.district !== params.district) return false;
    if (stages && !stages.has(p.stage)) return false;
    const year = typeof p.completion_year === "number" ? p.completion_year : null;
    if ((yMin !== null || yMax !== null) && year === null) return false;
    if (yMin !== null && year < yMin) return false;
    if (yMax !== null && year > yMax) return false;
    return true;
  };
}

/**
 * The tile layer of the public map. `api`: the page config's api (tiles URL, community
 * zoom); `filter()` returns the current predicate. Returns the layer with
 * `repaint()` (after a filter change) and `pick(latlng)` (the properties of the
 * community under a point that passes the filter, or null).
 */
export function publicTiles(map, api, filter) {
  const P = window.protomapsL;
  if (!map.getPane(TILE_PANE)) map.createPane(TILE_PANE).style.zIndex = "350";
  const minzoom = api.community_min_zoom + LEVEL_DIFF;
  const layer = P.leafletLayer({
    url: api.tiles,
    maxDataZoom: MAX_DATA_ZOOM,
    levelDiff: LEVEL_DIFF,
    paintRules: [
      {
        dataLayer: "communities",
        minzoom,
        filter: (_z, f) => filter()(f.props),
        symbolizer: new P.PolygonSymbolizer({ fill: (_z, f) => stageColour(f.props.stage), opacity: 0.6, stroke: "#37474f", width: 0.6 }),
      },
      { dataLayer: "districts", symbolizer: new P.LineSymbolizer({ color: "#263238", width: 2 }) },
    ],
    labelRules: [],
    pane: TILE_PANE,
    zIndex: 2, // above the map's tile stack (the basemap) in the same pane
    attribution: "",
  });
  const state = (value) => (document.body.dataset.tiles_public = value);
  layer.on("loading", () => state("loading"));
  layer.on("load", () => state("loaded"));
  layer.addTo(map);
  layer.minzoom = minzoom;
  layer.repaint = () => layer.rerenderTiles();
  layer.pick = (latlng) => {
    if (map.getZoom() < minzoom) return null;
    const keep = filter();
    for (const hits of layer.queryTileFeaturesDebug(latlng.lng, latlng.lat, PICK_RADIUS_PX).values()) {
      const hit = hits.find((h) => h.layerName === "communities" && keep(h.feature.props));
      if (hit) return { ...hit.feature.props };
    }
    return null;
  };
  return layer;
}
