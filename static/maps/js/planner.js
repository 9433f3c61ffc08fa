// Planner workspace: every layer, search, draw and edit with history and undo, analyses.
// The page's state is one object (`page`) handed to each part; the parts are modules of
// ./planner/ and ./lib/. The big layers are vector tiles (lib/vectortiles.js); a click
// on an editable one opens its feature in the editor, on the others a popup. The browser
// tests reach the page through data- attributes (body data-map-ready, data-tiles_<layer>,
// data-picked, …; each editable feature's element carries data-kind and data-code; #map
// carries data-bounds) and events ("map:init", "planner:open").
import { addLayers, featurePopup, fitExtent } from "./lib/layers.js";
import { mapKey, overlayControl } from "./lib/mapkey.js";
import { BlocksPanel } from "./planner/blocks.js";
import { lifeCircleView } from "./lib/lifecircle.js";
import { addSiting } from "./lib/siting.js";
import { addBasemap } from "./lib/basemap.js";
import { onTileClick, zoomNote } from "./lib/vectortiles.js";
import { keepPopupsClear, publishBounds } from "./lib/view.js";
import { Editor } from "./planner/editor.js";
import { setupAnalyses, showSites } from "./planner/analyses.js";
import { setupSearch } from "./planner/search.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const $ = (id) => document.getElementById(id);

async function init(map) {
  publishBounds(map);
  keepPopupsClear(map);
  fitExtent(map, config);
  addBasemap(map, config.tiles);
  const control = overlayControl(map, config, { collapsed: true });
  const page = { map, control, config, $, lifecircle: lifeCircleView(map, control, config) };
  mapKey(map, control, config, { category: () => page.lifecircle.category() });
  page.blocks = new BlocksPanel(page);
  const editable = {}; // kind → its tile layer, filled as the layers are added
  const editor = new Editor(page, editable);
  editor.setupDraw($("draw-kind"));
  editor.bindButtons();
  setupSearch(map, config, $("search"), $("search-results"));
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
      const kind = config.layers.find((l) => l.key === spec.key)?.editable;
      if (kind) {
        await editor.openByCode(kind, props.code);
        return;
      }
      L.popup().setLatLng(latlng).setContent(await featurePopup(config, spec.key, props)).openOn(map);
    });
    zoomNote(map, allTiles, Object.fromEntries(config.layers.map((l) => [l.key, l.label])));
  });
  const latest = page.lifecircle.show().then((layer) => layer?.addTo(map));
  await Promise.all([layersIn, latest, editor.loadAll(), page.blocks.load(), addSiting(map, control, config).then((g) => showSites(page, (page.siting = g)))]);
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
