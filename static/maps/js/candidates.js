// Candidate communities page: the areas on the map, coloured by review status; a code in
// the table zooms to its area. Names are set as text (never parsed as HTML).
import { addBasemap } from "./lib/basemap.js";

const data = JSON.parse(document.getElementById("candidates-data").textContent);
const tiles = JSON.parse(document.getElementById("tiles-config").textContent);
const COLOURS = { pending: "#ef6c00", confirmed: "#2e7d32", dismissed: "#9e9e9e" };

function init(map) {
  addBasemap(map, tiles);
  const layer = L.geoJSON(data, {
    style: (f) => ({ color: COLOURS[f.properties.status] || "#555", weight: 2, fillOpacity: 0.25 }),
    onEachFeature: (f, l) => {
      const label = document.createElement("span");
      label.textContent = f.properties.name || "—";
      l.bindTooltip(label);
    },
  }).addTo(map);
  if (data.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 17 });
  const byId = new Map();
  layer.eachLayer((l) => byId.set(String(l.feature.properties.id), l));
  for (const a of document.querySelectorAll("a.zoom")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      const l = byId.get(a.dataset.id);
      if (l) map.fitBounds(l.getBounds(), { maxZoom: 18 });
    });
  }
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
