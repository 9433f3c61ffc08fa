// Home page: every layer on one map, with a layer switcher, legend and popups.
import { addLayers, addLegend } from "./lib/layers.js";
import { addBlocks } from "./lib/blocks.js";
import { lifeCircleView } from "./lib/lifecircle.js";
import { addSiting } from "./lib/siting.js";
import { addBasemap } from "./lib/basemap.js";
import { publishBounds } from "./lib/view.js";

const config = JSON.parse(document.getElementById("map-config").textContent);

async function init(map) {
  publishBounds(map);
  addBasemap(map, config.tiles);
  const control = L.control.layers(null, null, { collapsed: false }).addTo(map);
  addLegend(map, config);
  const status = L.control({ position: "bottomleft" });
  status.onAdd = () => L.DomUtil.create("div", "status");
  status.addTo(map);
  await addLayers(map, control, config, { counts: true, status: status.getContainer() });
  await Promise.all([addBlocks(map, control, config), addSiting(map, control, config)]);
  const coverage = await lifeCircleView(map, control, config).show();
  if (coverage && new URLSearchParams(window.location.search).get("layer") === "lifecircle") {
    coverage.addTo(map);
  }
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
