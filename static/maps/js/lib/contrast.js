// Colour contrast as WCAG 2.1 measures it (pure; tests/js/contrast.test.mjs): the text on a
// stage badge is the darker or the lighter ink, whichever reads better on the stage's
// colour (AA asks 4.5:1 for text, 3:1 for the edge of a mark such as a legend swatch).

/** Dark ink on light fills; its contrast with white is 16:1. */
export const DARK_INK = "#212121";
export const LIGHT_INK = "#ffffff";
/** The outline of a legend swatch: against the legend's white it stands out at 10:1. */
export const SWATCH_EDGE = "#37474f";

function channel(c) {
  const s = c / 255;
  return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** "#rrggbb" (or "#rgb") → [r, g, b] in 0–255. */
export function parseHex(hex) {
  let h = String(hex).trim().replace(/^#/, "");
  if (h.length === 3) h = [...h].map((c) => c + c).join("");
  if (!/^[0-9a-fA-F]{6}$/.test(h)) throw new Error(`not a #rrggbb colour: ${hex}`);
  const n = parseInt(h, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** WCAG relative luminance of a colour. */
export function luminance(hex) {
  const [r, g, b] = parseHex(hex).map(channel);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours, 1–21. */
export function contrastRatio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The ink (dark or light) that reads better on `background`. */
export function inkOn(background) {
  return contrastRatio(DARK_INK, background) >= contrastRatio(LIGHT_INK, background) ? DARK_INK : LIGHT_INK;
}
