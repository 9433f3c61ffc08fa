// Home page: every layer on one map, with a layer switcher, legend and popups.
import { getJSON } from "./lib/api.js";
import { addOverlay } from "./lib/dom.js";
import { LAYERS, addLegend, buildLayer } from "./lib/layers.js";
import { addBlocks } from "./lib/blocks.js";
import { addLifeCircle } from "./lib/lifecircle.js";
import { addSiting } from "./lib/siting.js";
import { addBasemap } from "./lib/basemap.js";
import { gettext, interpolate } from "./lib/i18n.js";

const config = JSON.parse(document.getElementById("map-config").textContent);

async function init(map) {
  addBasemap(map, config.tiles);
  const control = L.control.layers(null, null, { collapsed: false }).addTo(map);
  addLegend(map, config);
  const status = L.control({ position: "bottomleft" });
  status.onAdd = () => L.DomUtil.create("div", "status");
  status.addTo(map);
  let loaded = 0;
  await Promise.all(
    LAYERS.map(async (spec) => {
      try {
        const data = await getJSON(config.layers[spec.key]);
        const layer = buildLayer(data, spec.options, config);
        addOverlay(control, layer, interpolate(gettext("%(label)s（%(count)s）"), { label: spec.label, count: data.features.length }));
        if (spec.on) layer.addTo(map);
        if (spec.key === "districts" && data.features.length) map.fitBounds(layer.getBounds());
      } catch (err) {
        status.getContainer().textContent = interpolate(gettext("图层加载失败：%(label)s"), { label: spec.label });
        console.error(err);
      }
      loaded += 1;
      document.body.dataset.layersLoaded = String(loaded);
    }),
  );
  await Promise.all([addBlocks(map, control, config), addSiting(map, control, config)]);
  const coverage = await addLifeCircle(map, control, config);
  if (coverage && new URLSearchParams(window.location.search).get("layer") === "lifecircle") {
    coverage.addTo(map);
  }
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
