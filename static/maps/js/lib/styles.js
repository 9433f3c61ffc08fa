// Pure style functions: colours, ramps and legends (unit-tested with `node --test`).

export const STAGE_COLOURS = {
  not_started: "#9e9e9e",
  applied: "#fdd835",
  planned: "#ffb300",
  in_reserve: "#fb8c00",
  in_annual_plan: "#f4511e",
  under_construction: "#8e24aa",
  accepted: "#1e88e5",
  handed_over: "#00897b",
  post_evaluated: "#43a047",
};

export const TIER_COLOURS = { 5: "#d81b60", 10: "#1e88e5", 15: "#43a047" };

export const IDLE_KIND_COLOURS = {
  vacant: "#a1887f",
  wasteland: "#8d6e63",
  idle: "#ff7043",
  corner: "#ffa726",
  demolition: "#ef5350",
  green: "#66bb6a",
};

export function stageColour(stage) {
  return STAGE_COLOURS[stage] ?? "#607d8b";
}

/** Colour for a 0–100 coverage score: red (poor) → yellow → green (complete). */
export function scoreColour(score) {
  if (score === null || score === undefined || Number.isNaN(score)) return "#bdbdbd";
  const stops = [
    [0, "#b71c1c"],
    [40, "#e64a19"],
    [60, "#fbc02d"],
    [80, "#9ccc65"],
    [100, "#2e7d32"],
  ];
  let colour = stops[0][1];
  for (const [limit, c] of stops) if (score >= limit) colour = c;
  return colour;
}

export function communityStyle(feature) {
  return {
    color: "#37474f",
    weight: 1,
    fillColor: stageColour(feature.properties.stage),
    fillOpacity: 0.6,
  };
}

export function idleLandStyle(feature) {
  return {
    color: "#5d4037",
    weight: 1,
    dashArray: "3",
    fillColor: IDLE_KIND_COLOURS[feature.properties.kind] ?? "#bcaaa4",
    fillOpacity: 0.55,
  };
}

export function walkStyle(feature) {
  const k = feature.properties.kind;
  const weight = { arterial: 3, secondary: 2, bridge: 3 }[k] ?? 1;
  const color = k === "bridge" ? "#1565c0" : feature.properties.is_barrier ? "#e53935" : "#78909c";
  return { color, weight, opacity: 0.7 };
}

/** Legend entries as [label, colour] pairs for a mapping and label table. */
export function legendEntries(colours, labels) {
  return Object.entries(colours).map(([key, colour]) => [labels?.[key] ?? key, colour]);
}
