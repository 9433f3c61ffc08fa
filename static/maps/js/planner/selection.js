// The one selected feature of the planner map: a search hit picked or a feature clicked.
// Selecting reads the feature's record (planner-feature), outlines it (the outline stays
// until the next selection or until its card is closed), zooms to its bounds when asked
// (a search hit; a click leaves the view alone) and opens its card: a community's record
// card (./record.js), the editor for the editable kinds. body data-selected is
// "kind:code" once the card shows it.
import { getJSON } from "../lib/api.js";
import { urlFor } from "../lib/urls.js";

const OUTLINE = [
  { color: "#212121", weight: 7, opacity: 0.55, fill: false },
  { color: "#ffea00", weight: 3.5, opacity: 1, fill: false },
];
const POINT_RADIUS = 11;
const FIT = { padding: [48, 48], maxZoom: 18, animate: false };
const POINT_ZOOM = 17;

/** The bounds to fit of a search hit's bbox [w, s, e, n] (Leaflet's [[s, w], [n, e]]). Pure. */
export function hitBounds(bbox) {
  const [w, s, e, n] = bbox;
  return [
    [s, w],
    [n, e],
  ];
}

export class Selection {
  /** `open(kind, feature)`: the card of a feature; `showLayer(kind)`: switch its layer on;
   * `failed(code)`: the feature could not be read (deleted meanwhile, the network). */
  constructor(map, config, { open, showLayer, failed }) {
    this.map = map;
    this.config = config;
    this.open = open;
    this.showLayer = showLayer;
    this.failed = failed;
    this.outline = L.layerGroup().addTo(map);
    this.current = null; // "kind:code"
    this.ticket = 0;
  }

  /** Outline a GeoJSON feature (polygons: a dark halo under a bright line; points: a ring). */
  draw(feature) {
    this.outline.clearLayers();
    if (!feature?.geometry) return null;
    const layers = OUTLINE.map((style) =>
      L.geoJSON(feature, {
        interactive: false,
        style: () => style,
        pointToLayer: (_f, latlng) => L.circleMarker(latlng, { ...style, radius: POINT_RADIUS, interactive: false }),
      }),
    );
    for (const l of layers) this.outline.addLayer(l);
    return layers[0].getBounds();
  }

  /** Select `kind`/`code`: read it, outline it, zoom to it if `fit`, open its card. */
  async select(kind, code, { fit = false, bbox = null } = {}) {
    const ticket = ++this.ticket;
    if (fit && bbox) this.fitTo(kind, L.latLngBounds(hitBounds(bbox)));
    let feature;
    try {
      feature = await getJSON(urlFor(this.config.urls, "planner-feature", { kind, code }));
    } catch (err) {
      if (ticket === this.ticket) this.failed?.(code, err);
      return;
    }
    if (ticket !== this.ticket) return; // a later selection won
    const bounds = this.draw(feature);
    if (fit && !bbox && bounds?.isValid()) this.fitTo(kind, bounds); // a hit's bbox is the same
    if (fit) this.showLayer?.(kind);
    this.current = `${kind}:${code}`;
    this.open(kind, feature);
    document.body.dataset.selected = this.current;
  }

  fitTo(kind, bounds) {
    const ne = bounds.getNorthEast();
    const sw = bounds.getSouthWest();
    if (ne.equals(sw)) this.map.setView(ne, Math.max(this.map.getZoom(), POINT_ZOOM), { animate: false });
    else this.map.fitBounds(bounds, FIT);
  }

  /** A feature opened another way (a drawn shape clicked, a new one drawn): it is the
   * selection now; `feature` null (a new shape) clears the outline. */
  opened(kind, feature) {
    const code = feature?.properties?.code;
    const key = code ? `${kind}:${code}` : null;
    if (key !== this.current) this.ticket += 1; // a selection under way is superseded
    this.draw(code ? feature : null); // again after a save: the shape may have changed
    this.current = key;
    document.body.dataset.selected = key ?? "";
  }

  clear() {
    this.ticket += 1;
    this.outline.clearLayers();
    this.current = null;
    document.body.dataset.selected = "";
  }
}
