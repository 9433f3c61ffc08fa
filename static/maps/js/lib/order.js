// The one order of the maps' overlays (config.overlay_order, planner/mapconfig.py
// OVERLAY_ORDER, top first): the layer control lists them in it and the map draws them in
// it — the SVG overlays each in a pane of their own over the vector-tile canvas, the tile
// layers painted bottom up inside the canvas — whichever request answers first.

/** The overlays' SVG panes sit between the vector tiles (350) and Leaflet's overlayPane
 * (400, the editor's shapes). */
export const SVG_TOP_Z = 399;

/** A key's place in the order (top first); unknown keys after the known. Pure. */
export function rankOf(order, key) {
  const i = (order ?? []).indexOf(key);
  return i === -1 ? (order ?? []).length : i;
}

/** The layer control's sort: by rank, then by label (a stable order for the rest). Pure. */
export function compareOverlays(order, a, b, nameA = "", nameB = "") {
  return rankOf(order, a) - rankOf(order, b) || (nameA < nameB ? -1 : nameA > nameB ? 1 : 0);
}

/** Tile layer specs in paint order, bottom first: the basemap, then the order's keys from
 * its bottom up, unknown keys last (on top). Pure. */
export function paintOrder(specs, order) {
  const n = (order ?? []).length;
  const rank = (k) => (k === "basemap" ? -1 : k && order?.includes(k) ? n - 1 - order.indexOf(k) : n);
  return [...specs].sort((a, b) => rank(a.key) - rank(b.key));
}

/** The z-index of an overlay's SVG pane: higher in the order, higher on the map. Pure. */
export function paneZ(order, key) {
  return SVG_TOP_Z - Math.min(rankOf(order, key), 40);
}

const ORDERS = new WeakMap();

/** Give `map` its order (once, from the page's config). */
export function useOrder(map, order) {
  ORDERS.set(map, order ?? []);
}

export function orderOf(map) {
  return ORDERS.get(map) ?? [];
}

/** The SVG pane of overlay `key` on `map` (made on first use, z-index from the order). */
export function paneFor(map, key) {
  const name = `overlay-${key}`;
  if (!map.getPane(name)) map.createPane(name).style.zIndex = String(paneZ(orderOf(map), key));
  return name;
}
