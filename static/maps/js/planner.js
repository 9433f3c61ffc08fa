// Planner workspace: every layer, search, draw and edit with history and undo, analyses.
// The page's state is one object (`page`) handed to each part; the parts are modules of
// ./planner/ and ./lib/. The big layers are vector tiles (lib/vectortiles.js); a click
// on an editable one opens its feature in the editor, on a community (or its life-circle
// score, which answers clicks first) the community's record card with the analysis in a
// tab, on the others a popup; a search hit is selected the same way, zoomed to. The browser
// tests reach the page through data- attributes (body data-map-ready, data-tiles_<layer>,
// data-picked, …; each editable feature's element carries data-kind and data-code; #map
// carries data-bounds) and events ("map:init", "planner:open").
import { addLayers, featurePopup, fitExtent } from "./lib/layers.js";
import { mapKey, overlayControl } from "./lib/mapkey.js";
import { BlocksPanel } from "./planner/blocks.js";
import { lifeCircleView } from "./lib/lifecircle.js";
import { addSiting } from "./lib/siting.js";
import { addBasemap } from "./lib/basemap.js";
import { holdTiles, onTileClick, zoomNote } from "./lib/vectortiles.js";
import { keepPopupsClear, publishBounds } from "./lib/view.js";
import { Editor } from "./planner/editor.js";
import { localiseControls } from "./lib/drawlocal.js";
import { setupAnalyses, showSites } from "./planner/analyses.js";
import { setupSearch } from "./planner/search.js";
import { RecordCard } from "./planner/record.js";
import { Selection } from "./planner/selection.js";
import { say } from "./planner/ui.js";
import { gettext, interpolate } from "./lib/i18n.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const $ = (id) => document.getElementById(id);

async function init(map) {
  publishBounds(map);
  keepPopupsClear(map);
  fitExtent(map, config);
  // one build of the tile stack for the first view: the latest run's results join the
  // basemap and the city's layers before any tile is asked for (not a second set of
  // every tile once the run answers)
  const release = holdTiles(map);
  addBasemap(map, config.tiles);
  const control = overlayControl(map, config, { collapsed: true });
  localiseControls(map);
  const page = { map, control, config, $, lifecircle: lifeCircleView(map, control, config) };
  mapKey(map, control, config, { category: () => page.lifecircle.category() });
  page.blocks = new BlocksPanel(page);
  const editable = {}; // kind → its tile layer, filled as the layers are added
  const editor = new Editor(page, editable);
  editor.setupDraw($("draw-kind"));
  editor.bindButtons();
  const record = new RecordCard(config, $, (code) => page.lifecircle.analysis(code));
  const selection = new Selection(map, config, {
    open: (kind, feature) => {
      if (kind === "community") {
        editor.close();
        record.show(feature);
      } else {
        record.hide();
        editor.show(kind, feature);
      }
    },
    // a hit on a layer switched off (the amenities start off): switch it on
    showLayer: (kind) => {
      if (editable[kind] && !map.hasLayer(editable[kind])) editable[kind].addTo(map);
    },
    failed: (code) => say($("search-status"), interpolate(gettext("无法读取 %(code)s（可能已被删除），请刷新后重试。"), { code }), "error"),
  });
  editor.onOpen = (kind, feature) => {
    record.hide();
    selection.opened(kind, feature);
  };
  $("btn-cancel").addEventListener("click", () => selection.clear());
  record.onClose = () => {
    record.hide();
    selection.clear();
  };
  setupSearch(config, { input: $("search"), list: $("search-results"), status: $("search-status") }, (hit) => selection.select(hit.layer, hit.code, { fit: true, bbox: hit.bbox }));
  setupAnalyses(page);
  // everything the map shows loads at once; the page is ready when all of it is in
  const layersIn = addLayers(map, control, config).then((tiled) => {
    for (const layer of tiled) {
      const kind = config.layers.find((l) => l.key === layer.spec.key).editable;
      if (kind) editable[kind] = layer;
    }
    const allTiles = () => [...tiled, ...page.lifecircle.tiles()];
    onTileClick(map, allTiles, async (spec, props, latlng) => {
      document.body.dataset.picked = `${spec.key}:${props.code ?? ""}`;
      const layer = config.layers.find((l) => l.key === spec.key);
      // the run's score of a community answers first: its record opens all the same
      const kind = spec.key === "results" ? "community" : (layer?.editable || (spec.key === "communities" ? "community" : ""));
      if (kind && props.code) {
        await selection.select(kind, props.code);
        return;
      }
      L.popup().setLatLng(latlng).setContent(await featurePopup(config, spec.key, props)).openOn(map);
    });
    zoomNote(map, allTiles, Object.fromEntries(config.layers.map((l) => [l.key, l.label])));
  });
  page.layersIn = layersIn; // the results table waits for the map's layers
  // the run's layer is on the map as soon as it exists (onLayer); without a run, the
  // hold ends when show() does
  const latest = page.lifecircle
    .show(null, {
      onLayer: (layer) => {
        layer.addTo(map);
        release();
      },
    })
    .finally(release);
  await Promise.all([layersIn, latest, editor.loadAll(), page.blocks.load(), addSiting(map, control, config).then((g) => showSites(page, (page.siting = g)))]);
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
