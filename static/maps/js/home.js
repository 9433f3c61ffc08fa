// Home page: every layer on one map, with a layer switcher, legend and popups.
import { getJSON } from "./lib/api.js";
import { LAYERS, addLegend, buildLayer } from "./lib/layers.js";
import { addLifeCircle } from "./lib/lifecircle.js";

const config = JSON.parse(document.getElementById("map-config").textContent);

async function init(map) {
  if (config.tiles.url) {
    L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 19 }).addTo(map);
  }
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
        control.addOverlay(layer, `${spec.label}（${data.features.length}）`);
        if (spec.on) layer.addTo(map);
        if (spec.key === "districts" && data.features.length) map.fitBounds(layer.getBounds());
      } catch (err) {
        status.getContainer().textContent = `图层加载失败：${spec.label}`;
        console.error(err);
      }
      loaded += 1;
      document.body.dataset.layersLoaded = String(loaded);
    }),
  );
  const coverage = await addLifeCircle(map, control, config);
  if (coverage && new URLSearchParams(window.location.search).get("layer") === "lifecircle") {
    coverage.addTo(map);
  }
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
