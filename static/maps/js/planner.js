// Planner workspace: every layer, search, draw and edit with history and undo, analyses.
// The page's state is one object (`page`) handed to each part; the parts are modules of
// ./planner/ and ./lib/. The browser tests reach the page through data- attributes (body
// data-map-ready, data-loaded_<kind>, …; each editable feature's element carries data-kind
// and data-code; #map carries data-bounds) and the "map:init" event.
import { addLayers, addLegend } from "./lib/layers.js";
import { addBlocks } from "./lib/blocks.js";
import { lifeCircleView } from "./lib/lifecircle.js";
import { addSiting } from "./lib/siting.js";
import { addBasemap } from "./lib/basemap.js";
import { Editor } from "./planner/editor.js";
import { setupAnalyses } from "./planner/analyses.js";
import { setupSearch } from "./planner/search.js";
import { publishBounds } from "./lib/view.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const $ = (id) => document.getElementById(id);

async function init(map) {
  publishBounds(map);
  addBasemap(map, config.tiles);
  const control = L.control.layers(null, null, { collapsed: true }).addTo(map);
  addLegend(map, config);
  const page = { map, control, config, $, lifecircle: lifeCircleView(map, control, config) };
  // the editable layers are drawn by the editor, the others as on the home map
  await addLayers(map, control, config, { include: (layer) => !layer.editable });
  const editor = new Editor(page);
  await editor.loadAll();
  editor.setupDraw($("draw-kind"));
  editor.bindButtons();
  setupSearch(map, config, $("search"), $("search-results"));
  setupAnalyses(page);
  await Promise.all([addBlocks(map, control, config), addSiting(map, control, config)]);
  const latest = await page.lifecircle.show();
  if (latest) latest.addTo(map);
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
