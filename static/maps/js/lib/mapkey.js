// The map key of the home and planner maps: the layer control sorted in the maps' one
// order (./order.js), the theme that colours the community polygons (one at a time,
// ./themes.js) and one legend panel at the bottom right that folds and shows a section
// per overlay on the map, the theme's first. For the browser tests: body data-theme, the
// panel #map-key (data-folded, its sections' data-key, its radios name=map-theme).
import { el } from "./dom.js";
import { compareOverlays, orderOf, useOrder } from "./order.js";
import { DEFAULT_THEME, THEMES, legendSections, themeOfKey } from "./themes.js";
import { choiceEntries } from "./choices.js";
import { gettext } from "./i18n.js";

const STATE = new WeakMap(); // map → {theme, listeners, unavailable}

function stateOf(map) {
  if (!STATE.has(map)) STATE.set(map, { theme: DEFAULT_THEME, listeners: [], unavailable: new Set() });
  return STATE.get(map);
}

/** Say whether `theme` can colour `map` beyond its layer being there (the capacity theme
 * needs a run with capacity standards). */
export function themeAvailable(map, theme, available) {
  const s = stateOf(map);
  if (available) s.unavailable.delete(theme);
  else s.unavailable.add(theme);
  map.fire("mapkeychange");
}

/** The theme colouring `map` now. */
export function themeOf(map) {
  return stateOf(map).theme;
}

/** Colour `map` by `theme`; the layers painted by themes repaint (onTheme). */
export function setTheme(map, theme) {
  const s = stateOf(map);
  const next = themeOfKey(theme).key;
  if (s.theme === next) return;
  s.theme = next;
  document.body.dataset.theme = next;
  for (const fn of s.listeners) fn(next);
}

/** Call `fn(theme)` on each change of `map`'s theme. */
export function onTheme(map, fn) {
  stateOf(map).listeners.push(fn);
}

/** The layer control of a map page, its overlays in config.overlay_order. */
export function overlayControl(map, config, options = {}) {
  useOrder(map, config.overlay_order);
  const order = orderOf(map);
  return L.control
    .layers(null, null, {
      ...options,
      sortLayers: true,
      sortFunction: (a, b, nameA, nameB) => compareOverlays(order, a.overlayKey, b.overlayKey, nameA, nameB),
    })
    .addTo(map);
}

/** The overlays of `control` (its entries with a key), top first. */
function overlays(control) {
  const order = orderOf(control._map);
  return control._layers
    .filter((o) => o.overlay && o.layer.overlayKey)
    .sort((a, b) => compareOverlays(order, a.layer.overlayKey, b.layer.overlayKey, a.name, b.name));
}

/** The overlay registered under `key`, or null. */
export function overlayByKey(control, key) {
  return overlays(control).find((o) => o.layer.overlayKey === key)?.layer ?? null;
}

function swatch(colour, kind) {
  const node = el("i", null, `key-${kind}`);
  // the swatch's colour through the CSSOM (the page's CSP refuses style attributes)
  if (kind === "sw" || kind === "dot") node.style.background = colour;
  else node.style.borderColor = colour;
  return node;
}

function sectionNode(s) {
  const node = el("section");
  node.dataset.key = s.key;
  if (s.title) node.appendChild(el("h4", s.title));
  for (const [label, colour, kind] of s.entries) {
    const row = el("div");
    row.append(swatch(colour, kind), document.createTextNode(label));
    node.appendChild(row);
  }
  return node;
}

/**
 * The bottom-right map key: the theme radios and the folding legend. `category()` names
 * the life-circle category picked ("" for none; its legend then shows reach). Returns
 * {update()} (the legend again after a change the map does not announce).
 */
export function mapKey(map, control, config, { category = () => "" } = {}) {
  const labels = {
    stages: config.stages ?? {},
    tiers: Object.fromEntries(choiceEntries(config, "amenity_category.tier_minutes")),
  };
  let folded = false; // the fold is kept while the page lives
  const key = L.control({ position: "bottomright" });
  let radios = [];
  let body;
  let foldButton;
  key.onAdd = () => {
    const div = L.DomUtil.create("div", "legend map-key");
    div.id = "map-key";
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    const themes = el("fieldset", null, "map-themes");
    themes.appendChild(el("legend", gettext("专题着色")));
    radios = THEMES.map((t) => {
      const label = el("label");
      const input = el("input");
      input.type = "radio";
      input.name = "map-theme";
      input.value = t.key;
      input.checked = t.key === themeOf(map);
      input.addEventListener("change", () => chooseTheme(t.key));
      label.append(input, document.createTextNode(t.title));
      themes.appendChild(label);
      return input;
    });
    foldButton = el("button", null, "map-key-fold");
    foldButton.type = "button";
    foldButton.addEventListener("click", () => {
      folded = !folded;
      render();
    });
    body = el("div", null, "map-key-sections");
    div.append(foldButton, themes, body);
    return div;
  };

  /** The theme's layer comes on with the theme. */
  function chooseTheme(theme) {
    const layer = overlayByKey(control, themeOfKey(theme).layer);
    if (layer && !map.hasLayer(layer)) map.addLayer(layer);
    setTheme(map, theme);
  }

  function render() {
    const container = key.getContainer();
    if (!container) return;
    // the overlays drawn: on the map, but for a GeoJSON one with nothing in it (the
    // supply before a category is picked) and a tile layer waiting for a closer zoom
    const drawn = (layer) =>
      map.hasLayer(layer) &&
      !(layer instanceof L.GeoJSON && !layer.getLayers().length) &&
      !(layer.spec && map.getZoom() < layer.spec.minzoom);
    const on = overlays(control).filter((o) => drawn(o.layer));
    const sections = legendSections({ theme: themeOf(map), visible: on.map((o) => o.layer.overlayKey), labels, category: category() });
    body.replaceChildren(...sections.map(sectionNode));
    body.hidden = folded;
    container.dataset.folded = folded ? "1" : "0";
    foldButton.textContent = folded ? gettext("图例 ▸") : gettext("图例 ▾");
    foldButton.setAttribute("aria-expanded", folded ? "false" : "true");
    for (const input of radios) {
      input.checked = input.value === themeOf(map);
      // a theme whose layer is not there (no run yet, no blocks) cannot be chosen
      input.disabled = !overlayByKey(control, themeOfKey(input.value).layer) || stateOf(map).unavailable.has(input.value);
    }
    document.body.dataset.legend = sections.map((s) => s.key).join(",");
  }

  let scheduled = false;
  const update = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      render();
    });
  };
  key.addTo(map);
  document.body.dataset.theme = themeOf(map);
  map.on("layeradd layerremove zoomend mapkeychange", update);
  onTheme(map, update);
  render();
  return { update, chooseTheme };
}
