// Pure style functions of the GeoJSON layers (unit-tested with `node --test`); the
// palettes and the themes that colour the communities are ./themes.js.
import { DEFAULT_THEME, FILL_ALPHA, MARKS, fills, parkingColour, stageColour } from "./themes.js";
import { walkLine } from "./vectortiles.js";

// the stage colours are the stage theme's (./themes.js); the record card reads them here
export { stageColour } from "./themes.js";

/** A community drawn as GeoJSON: as the tiles draw it under `theme`. */
export function communityStyle(feature, theme = DEFAULT_THEME) {
  const on = fills(theme, "communities");
  const p = feature.properties;
  const colour = theme === "parking" ? parkingColour(p) : stageColour(p.stage);
  return { color: MARKS.outline, weight: 1, fillColor: colour ?? MARKS.outline, fillOpacity: on && colour ? FILL_ALPHA : 0 };
}

/** Idle land drawn as GeoJSON: a brown dashed outline, no fill over the theme. */
export function idleLandStyle() {
  return { color: MARKS.idle, weight: 1.5, dashArray: "3", fillOpacity: 0 };
}

export function walkStyle(feature) {
  const { colour, width } = walkLine(feature.properties);
  return { color: colour, weight: width, opacity: 0.7 };
}

/** Legend entries as [label, colour] pairs for a mapping and label table. */
export function legendEntries(colours, labels) {
  return Object.entries(colours).map(([key, colour]) => [labels?.[key] ?? key, colour]);
}
