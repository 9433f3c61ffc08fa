// The map's view as data- attributes of its container, for the browser tests and for
// anyone reading the page: data-bounds="west,south,east,north" (degrees) and data-zoom,
// updated on every move; popups that keep clear of the map's corner controls.

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

/** Popup options that keep a popup clear of the map's corner controls (legends, the
 * layer list, the tools): Leaflet pans the map so that the popup stays below the top
 * corners' controls and left of the bottom-right legend (the attribution line aside). */
export function clearOfControls(map) {
  const frame = map.getContainer().getBoundingClientRect();
  const rects = (sel) =>
    [...map.getContainer().querySelectorAll(`${sel} > .leaflet-control`)]
      .filter((n) => !n.classList.contains("leaflet-control-attribution"))
      .map((n) => n.getBoundingClientRect())
      .filter((r) => r.width > 0 && r.height > 0);
  const top = [...rects(".leaflet-top.leaflet-left"), ...rects(".leaflet-top.leaflet-right")];
  const bottomRight = rects(".leaflet-bottom.leaflet-right");
  const below = Math.max(0, ...top.map((r) => r.bottom - frame.top));
  const leftOf = Math.max(0, ...bottomRight.map((r) => frame.right - r.left));
  return {
    autoPanPaddingTopLeft: L.point(10, below + 10),
    autoPanPaddingBottomRight: L.point(leftOf + 10, 30),
  };
}

/** Every popup of the map opens clear of the corner controls as they are then (a taller
 * one scrolls): on "popupopen" its padding is set and Leaflet pans again (update()); when
 * a corner's controls change size while it is open (a legend fills in, a notice appears),
 * it is placed again. body data-popup-settled is "1" once the last such pan has ended. */
export function keepPopupsClear(map) {
  let open = null;
  const place = (popup) => {
    const pad = clearOfControls(map);
    const room = map.getSize().y - pad.autoPanPaddingTopLeft.y - pad.autoPanPaddingBottomRight.y - 50;
    Object.assign(popup.options, pad, { maxHeight: Math.max(160, room) });
    document.body.dataset.popupSettled = "0";
    let panning = false;
    const start = () => {
      panning = true;
      map.once("moveend", () => (document.body.dataset.popupSettled = "1"));
    };
    map.once("autopanstart", start);
    popup.update();
    map.off("autopanstart", start);
    if (!panning) document.body.dataset.popupSettled = "1";
  };
  map.on("popupopen", (e) => {
    open = e.popup;
    place(open);
  });
  map.on("popupclose", (e) => {
    if (open === e.popup) open = null;
  });
  const corners = new ResizeObserver(() => open && place(open));
  for (const corner of map.getContainer().querySelectorAll(".leaflet-top, .leaflet-bottom.leaflet-right")) {
    corners.observe(corner);
  }
}
