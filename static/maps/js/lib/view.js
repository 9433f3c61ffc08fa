// The map's view as data- attributes of its container, for the browser tests and for
// anyone reading the page: data-bounds="west,south,east,north" (degrees) and data-zoom,
// updated on every move.

/** "west,south,east,north" with 7 decimals. Pure. */
export function boundsText(west, south, east, north) {
  return [west, south, east, north].map((v) => v.toFixed(7)).join(",");
}

export function publishBounds(map) {
  const update = () => {
    const b = map.getBounds();
    const node = map.getContainer();
    node.dataset.bounds = boundsText(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
    node.dataset.zoom = String(map.getZoom());
  };
  map.on("moveend zoomend resize", update);
  map.whenReady(update);
}
