// The maps' thematic colouring (pure; unit-tested with `node --test`): one theme colours
// the community polygons at a time — the renovation stage, the life-circle score (within
// reach, 有没有), the capacity-aware score (enough, 够不够) or block membership — and
// each theme has its own ColorBrewer palette, no colour of which is near a colour of
// another theme (tests/js/themes.test.mjs measures it). The layers drawn over a theme
// (idle land hatched, blocks as outlines, sites, points) keep their own marks. What the
// legend shows follows the theme and the layers on the map (legendSections).
import { gettext } from "./i18n.js";

/** Renovation stages: qualitative (ColorBrewer Set2, the last stage Dark2 green). */
export const STAGE_COLOURS = {
  not_started: "#bdbdbd",
  applied: "#ffd92f",
  planned: "#e5c494",
  in_reserve: "#fc8d62",
  in_annual_plan: "#e78ac3",
  under_construction: "#8da0cb",
  accepted: "#66c2a5",
  handed_over: "#a6d854",
  post_evaluated: "#1b9e77",
};
export const UNKNOWN_STAGE = "#969696";

/** Score classes [lower bound, colour], best first: within reach (ColorBrewer YlGnBu). */
export const SCORE_CLASSES = [
  [80, "#253494"],
  [60, "#2c7fb8"],
  [40, "#41b6c4"],
  [20, "#a1dab4"],
  [0, "#ffffcc"],
];
/** … and enough for the residents (ColorBrewer RdPu). */
export const CAPACITY_CLASSES = [
  [80, "#7a0177"],
  [60, "#c51b8a"],
  [40, "#f768a1"],
  [20, "#fbb4b9"],
  [0, "#feebe2"],
];
/** Parking gap classes [lower bound of the shortage as a share of the demand, colour],
 * worst first, the last no shortage (ColorBrewer Reds / PuOr, picked away from the
 * other themes' colours). A community whose spaces were not surveyed has no fill. */
export const PARKING_CLASSES = [
  [0.4, "#a50f15"],
  [0.2, "#fb6a4a"],
  [0, "#fdb863"],
  [null, "#c7eae5"],
];
/** A community without a score: no fill, its outline only. */
export const NO_FILL = "rgba(0,0,0,0)";

/** Blocks: one colour per block, neighbours apart (ColorBrewer Paired / Dark2, picked
 * away from the other themes' colours). */
export const BLOCK_COLOURS = ["#e31a1c", "#33a02c", "#ff7f00", "#6a3d9a", "#b15928", "#a6cee3", "#ffff99", "#666666"];

/** The marks drawn over every theme (never a fill that could read as a theme's class). */
export const MARKS = {
  outline: "#37474f", // communities when another theme colours the map
  idle: "#5d4037", // idle land: brown hatching and outline
  vacant: "#4a148c", // vacant public housing: white squares, purple ring
  block: "#212121", // block outlines when blocks are not the theme
};

/** The themes in menu order: which overlay (by key) carries the fill, and the title. */
export const THEMES = [
  { key: "stage", layer: "communities", title: gettext("改造阶段") },
  { key: "score", layer: "lifecircle", title: gettext("生活圈得分（有没有）") },
  { key: "capacity", layer: "lifecircle", title: gettext("容量缺口（够不够）") },
  { key: "blocks", layer: "blocks", title: gettext("片区归属") },
  { key: "parking", layer: "communities", title: gettext("停车缺口") },
];
export const DEFAULT_THEME = "stage";

export function themeOfKey(key) {
  return THEMES.find((t) => t.key === key) ?? THEMES[0];
}

/** Does overlay `layer` paint its fill under `theme`? Pure. */
export function fills(theme, layer) {
  return themeOfKey(theme).layer === layer;
}

/** The alpha of a theme's fill over the basemap. */
export const FILL_ALPHA = 0.7;

/** "#rrggbb" + alpha → "rgba(r,g,b,a)". Pure. */
export function rgba(hex, alpha) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

export function stageColour(stage) {
  return STAGE_COLOURS[stage] ?? UNKNOWN_STAGE;
}

/** The class colour of a 0–100 score in `classes` (SCORE_CLASSES, CAPACITY_CLASSES);
 * null when there is no score. Pure. */
export function classColour(score, classes = SCORE_CLASSES) {
  if (score === null || score === undefined || Number.isNaN(Number(score))) return null;
  for (const [limit, colour] of classes) if (Number(score) >= limit) return colour;
  return classes[classes.length - 1][1];
}

/** The classes of a life-circle theme. */
export function classesOf(theme) {
  return theme === "capacity" ? CAPACITY_CLASSES : SCORE_CLASSES;
}

/** One category's colour for a community under a life-circle theme: within reach or not
 * (有没有); enough, within reach but short, or out of reach (够不够). Pure. */
export function categoryColour(p, theme) {
  const classes = classesOf(theme);
  const top = classes[0][1];
  const bottom = classes[classes.length - 1][1];
  if (theme === "capacity" && p.adequate !== undefined) {
    if (!p.covered) return bottom;
    return p.adequate ? top : classes[2][1];
  }
  return p.covered ? top : bottom;
}

/** The shortage of a community's parking as a share of its demand (tiles' parking_gap,
 * parking_demand); null when its spaces were not surveyed. Pure. */
export function parkingShare(p) {
  const gap = p.parking_gap;
  if (gap === null || gap === undefined || Number.isNaN(Number(gap))) return null;
  if (Number(gap) <= 0) return 0;
  const demand = Number(p.parking_demand);
  return demand > 0 ? Number(gap) / demand : 1;
}

/** The parking theme's colour of a community, null when not surveyed. Pure. */
export function parkingColour(p) {
  const share = parkingShare(p);
  if (share === null) return null;
  if (share <= 0) return PARKING_CLASSES[PARKING_CLASSES.length - 1][1];
  for (const [limit, colour] of PARKING_CLASSES) if (limit !== null && share >= limit) return colour;
  return PARKING_CLASSES[PARKING_CLASSES.length - 2][1];
}

/** A community's fill (rgba) on the community layer: its stage's colour under the stage
 * theme, its parking gap's class under the parking theme, nothing under the others
 * (their layers carry the fill). Pure. */
export function communityFill(p, theme) {
  if (!fills(theme, "communities")) return NO_FILL;
  if (theme === "parking") {
    const colour = parkingColour(p);
    return colour ? rgba(colour, FILL_ALPHA) : NO_FILL;
  }
  return rgba(stageColour(p.stage), FILL_ALPHA);
}

/** A run's community fill (rgba): its score's class under a life-circle theme (`score`
 * the one the theme reads), or its category colour when a category is picked (`cat`:
 * that category's properties of the community); nothing under the other themes. Pure. */
export function resultFill(score, theme, cat = null) {
  if (!fills(theme, "lifecircle")) return NO_FILL;
  const colour = cat ? categoryColour(cat, theme) : classColour(score, classesOf(theme));
  return colour ? rgba(colour, FILL_ALPHA) : NO_FILL;
}

/** A block's colour from its number. Pure. */
export function blockColour(index) {
  const i = Math.abs(Math.trunc(Number(index) || 0));
  return BLOCK_COLOURS[i % BLOCK_COLOURS.length];
}

/** Legend rows [label, colour] of score classes: "≥80", "60–80", …, "<20". Pure. */
export function classEntries(classes) {
  return classes.map(([limit, colour], i) => {
    if (i === 0) return [`≥${limit}`, colour];
    const upper = classes[i - 1][0];
    return [i === classes.length - 1 ? `<${upper}` : `${limit}–${upper}`, colour];
  });
}

/** The legend section of a theme: [{key, title, entries: [[label, colour, swatch]]}].
 * `labels`: {stages: {code: label}}; `category`: the picked category's name or "". Pure. */
export function themeSection(theme, labels = {}, category = "") {
  const t = themeOfKey(theme);
  const section = { key: `theme-${t.key}`, title: t.title, entries: [] };
  if (t.key === "stage") {
    section.entries = Object.entries(STAGE_COLOURS).map(([k, c]) => [labels.stages?.[k] ?? k, c, "sw"]);
  } else if (t.key === "parking") {
    const c = PARKING_CLASSES.map(([, colour]) => colour);
    section.entries = [
      [gettext("缺口 ≥ 需求的40%"), c[0], "sw"],
      [gettext("缺口 20–40%"), c[1], "sw"],
      [gettext("缺口 < 20%"), c[2], "sw"],
      [gettext("无缺口"), c[3], "sw"],
      [gettext("车位未调查"), MARKS.outline, "outline"],
    ];
  } else if (t.key === "blocks") {
    section.entries = [
      [gettext("每个片区一种颜色"), BLOCK_COLOURS[0], "sw"],
      [gettext("建议（虚线）"), MARKS.block, "dash"],
      [gettext("已确认（实线）"), MARKS.block, "line"],
    ];
  } else if (category) {
    const classes = classesOf(t.key);
    section.title = `${t.title}：${category}`;
    section.entries =
      t.key === "capacity"
        ? [
            [gettext("可达且够用"), classes[0][1], "sw"],
            [gettext("可达但不够"), classes[2][1], "sw"],
            [gettext("不可达"), classes[classes.length - 1][1], "sw"],
          ]
        : [
            [gettext("步行可达"), classes[0][1], "sw"],
            [gettext("不可达"), classes[classes.length - 1][1], "sw"],
          ];
  } else {
    section.entries = classEntries(classesOf(t.key)).map(([label, c]) => [label, c, "sw"]);
  }
  return section;
}

/** The legend sections of the overlays drawn over the theme, by overlay key. Pure. */
export function overlaySection(key, labels = {}) {
  const tiers = labels.tiers ?? {};
  const sections = {
    communities: [gettext("老旧小区（轮廓）"), [["", MARKS.outline, "outline"]]],
    idle_land: [gettext("闲置用地"), [["", MARKS.idle, "hatch"]]],
    vacant_housing: [gettext("闲置公房"), [["", MARKS.vacant, "square"]]],
    amenities: [gettext("设施（生活圈）"), Object.entries(TIER_COLOURS).map(([k, c]) => [tiers[k] ?? k, c, "dot"])],
    walk_network: [
      gettext("步行网络"),
      [
        [gettext("路段"), WALK_COLOURS.segment, "line"],
        [gettext("桥梁"), WALK_COLOURS.bridge, "line"],
        [gettext("障碍"), WALK_COLOURS.barrier, "line"],
      ],
    ],
    islands: [gettext("路网孤岛（未参与吸附）"), [["", "#ff6f00", "line"]]],
    blocks: [
      gettext("连片改造片区"),
      [
        [gettext("建议（虚线）"), MARKS.block, "dash"],
        [gettext("已确认（实线）"), MARKS.block, "line"],
      ],
    ],
    siting: [
      gettext("闲置用地选址"),
      [
        [gettext("推荐选址（★）"), SITE_COLOURS.chosen, "dot"],
        [gettext("候选用地"), SITE_COLOURS.candidate, "dot"],
        [gettext("新增服务的小区"), SITE_COLOURS.served, "dot"],
      ],
    ],
    supply: [
      gettext("设施供给（容量及来源）"),
      [
        [gettext("有容量"), "#ab47bc", "dot"],
        [gettext("闲置（无容量）"), "#bdbdbd", "dot"],
      ],
    ],
    unreachable: [gettext("未接入路网"), [["", "#ffeb3b", "ring"]]],
    districts: [gettext("区县边界"), [["", "#263238", "line"]]],
    streets: [gettext("街道边界"), [["", "#546e7a", "dash"]]],
  };
  const s = sections[key];
  if (!s) return null;
  // a section of one mark is one row named after the layer
  if (s[1].length === 1) return { key, title: null, entries: [[s[0], s[1][0][1], s[1][0][2]]] };
  return { key, title: s[0], entries: s[1] };
}

/** Facilities by life-circle tier: dark greys (points over any theme). */
export const TIER_COLOURS = { 5: "#000000", 10: "#525252", 15: "#969696" };
export const WALK_COLOURS = { segment: "#78909c", bridge: "#1565c0", barrier: "#e53935" };
export const SITE_COLOURS = { chosen: "#6a1b9a", candidate: "#546e7a", served: "#f57c00" };

/**
 * The legend: the theme's section when the layer that carries it is on, then one section
 * per other overlay on the map, in `visible`'s order (the maps' one layer order). The
 * community outlines get a section only when another theme colours the map; the blocks'
 * outlines only when they are not the theme. Pure.
 */
export function legendSections({ theme = DEFAULT_THEME, visible = [], labels = {}, category = "" }) {
  const t = themeOfKey(theme);
  const on = new Set(visible);
  const out = [];
  if (on.has(t.layer)) out.push(themeSection(t.key, labels, t.layer === "lifecircle" ? category : ""));
  for (const key of visible) {
    if (key === t.layer) continue;
    const s = overlaySection(key, labels);
    if (s) out.push(s);
  }
  return out;
}
