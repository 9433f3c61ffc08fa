// Home page: every layer on one map, with a layer switcher, legend and popups. The big
// layers are vector tiles (lib/vectortiles.js); a click reads the feature's record.
import { addLayers, featurePopup, fitExtent } from "./lib/layers.js";
import { mapKey, overlayControl } from "./lib/mapkey.js";
import { addBlocks } from "./lib/blocks.js";
import { lifeCircleView } from "./lib/lifecircle.js";
import { addSiting } from "./lib/siting.js";
import { addBasemap } from "./lib/basemap.js";
import { onTileClick, zoomNote } from "./lib/vectortiles.js";
import { keepPopupsClear, publishBounds } from "./lib/view.js";
import { localiseControls } from "./lib/drawlocal.js";

const config = JSON.parse(document.getElementById("map-config").textContent);

async function init(map) {
  publishBounds(map);
  keepPopupsClear(map);
  fitExtent(map, config);
  addBasemap(map, config.tiles);
  const control = overlayControl(map, config, { collapsed: false });
  localiseControls(map);
  const status = L.control({ position: "bottomleft" });
  status.onAdd = () => L.DomUtil.create("div", "status");
  status.addTo(map);
  const lifecircle = lifeCircleView(map, control, config);
  mapKey(map, control, config, { category: () => lifecircle.category() });
  const layersIn = addLayers(map, control, config, { counts: true, status: status.getContainer() }).then((tiled) => {
    const allTiles = () => [...tiled, ...lifecircle.tiles()];
    onTileClick(map, allTiles, async (spec, props, latlng) => {
      L.popup().setLatLng(latlng).setContent(await featurePopup(config, spec.key, props)).openOn(map);
      document.body.dataset.picked = `${spec.key}:${props.code ?? ""}`;
    });
    zoomNote(map, allTiles, Object.fromEntries(config.layers.map((l) => [l.key, l.label])));
  });
  const coverage = lifecircle.show().then((layer) => {
    if (layer && new URLSearchParams(window.location.search).get("layer") === "lifecircle") layer.addTo(map);
  });
  await Promise.all([layersIn, coverage, addBlocks(map, control, config), addSiting(map, control, config)]);
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
