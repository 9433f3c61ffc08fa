// The life-circle result on the map: a choropleth by coverage score (from the run's vector
// tiles, planner/tiles.py `results`) under the life-circle themes (./themes.js: within
// reach 有没有, enough 够不够; another theme leaves the outlines), a per-category filter
// showing side by side "within reach" (a facility within the tier distance) and "enough for
// the residents" (the capacity-aware E2SFCA ratio against the standard, with the shortfall),
// the planner's choice of which of the two drives the gaps, the facilities' supply with its
// source, and the unreachable items.
import { getJSON } from "./api.js";
import { addOverlay, attributeTable, el, fillSelect } from "./dom.js";
import { tileSourceFor, urlFor } from "./urls.js";
import { tileLayer } from "./vectortiles.js";
import { NO_FILL, categoryColour, classColour, classesOf, fills, resultFill } from "./themes.js";
import { onTheme, setTheme, themeAvailable, themeOf } from "./mapkey.js";
import { paneFor } from "./order.js";
import { gettext, interpolate } from "./i18n.js";

const HIGHLIGHT = { color: "#ffd600", weight: 4, fillOpacity: 0 };
// display zoom of the run's tiles (planner/tiles.py: data zoom 9, + 1)
const ISLANDS_MIN_ZOOM = 10;
const RESULTS_MIN_ZOOM = 10;

/** The score a community's tile feature is coloured by: the capacity-aware one when the
 * gaps follow capacity and the run has it, else the distance score. Pure. */
export function resultScore(p, gaps) {
  return gaps === "capacity" && p.score_capacity !== null && p.score_capacity !== undefined ? p.score_capacity : p.score;
}

/** The life-circle theme that reads the gaps `gaps` ("distance" or "capacity"). Pure. */
export function themeForGaps(gaps) {
  return gaps === "capacity" ? "capacity" : "score";
}

/** The gaps a life-circle theme reads, or null for another theme. Pure. */
export function gapsForTheme(theme) {
  if (!fills(theme, "lifecircle")) return null;
  return theme === "capacity" ? "capacity" : "distance";
}

/** The colour of a community of the run's GeoJSON (one category, or the score) under
 * `theme`; null under a theme that is not the life circle's. Pure. */
export function coverageColour(p, theme) {
  if (!fills(theme, "lifecircle")) return null;
  if (p.category) return categoryColour(p, theme);
  return classColour(p.score, classesOf(theme));
}

/** A community's fill on the run's tiles: with a category picked, that category's gaps
 * the tiles carry (`covered`, and `adequate` where a capacity standard applies; none
 * yet: the tile of another category, not drawn), else the score of the gaps chosen.
 * `state`: {category, gaps}. Pure. */
export function categoryFill(p, state, theme) {
  if (!state.category) return resultFill(resultScore(p, state.gaps), theme);
  if (p.covered === undefined) return NO_FILL;
  return resultFill(null, theme, p);
}

const UNITS = { places: gettext("个学位/托位"), beds: gettext("张床位"), m2: "m²" };

export function unitName(unit) {
  return UNITS[unit] ?? unit ?? "";
}

/** Side-by-side totals of a category: within reach vs enough, and the shortfall. */
export function reachAndEnough(features) {
  const out = { communities: 0, residents: 0, reach: 0, reachResidents: 0, enough: 0, enoughResidents: 0, shortfall: 0, capacity: false, unit: null };
  for (const f of features) {
    const p = f.properties;
    out.communities += 1;
    out.residents += p.residents;
    if (p.covered) {
      out.reach += 1;
      out.reachResidents += p.residents;
    }
    if (p.adequate !== undefined) {
      out.capacity = true;
      out.unit = p.unit;
      out.shortfall += p.shortfall ?? 0;
      if (p.adequate) {
        out.enough += 1;
        out.enoughResidents += p.residents;
      }
    }
  }
  return out;
}

/** The missing facilities per tier by name, each under the first tier that misses it
 * (the result lists a tier's gaps with those of the tiers inside it):
 * "5分钟：幼儿园、菜市场；10分钟：小学". Tiers with nothing new are left out. Pure. */
export function missingText(missing, categories) {
  const seen = new Set();
  const parts = [];
  for (const [tier, cats] of Object.entries(missing || {}).sort(([a], [b]) => Number(a) - Number(b))) {
    const fresh = cats.filter((c) => !seen.has(c));
    for (const c of fresh) seen.add(c);
    if (!fresh.length) continue;
    parts.push(
      interpolate(gettext("%(minutes)s分钟：%(categories)s"), {
        minutes: tier,
        categories: fresh.map((c) => categories?.[c] ?? c).join(gettext("、")),
      }),
    );
  }
  return parts.join(gettext("；")) || gettext("无");
}

/** The rows of the panel's results table; with a category, its distance and whether it
 * is within reach (and enough), the communities without it first. Pure. */
export function resultRows(features, category, categories) {
  const rows = features.map((f) => {
    const p = f.properties;
    const row = { code: p.code, name: p.name, district: p.district, residents: p.residents, score: p.score, missing: missingText(p.missing, categories) };
    if (category) {
      row.distance = p.distance_m ?? gettext("超出范围");
      row.covered = p.covered ? gettext("是") : gettext("否");
      if (p.adequate !== undefined) row.adequate = p.adequate ? gettext("是") : gettext("否");
      row.rank = (p.covered ? 2 : 0) + (p.adequate === false ? -1 : 0);
    }
    return row;
  });
  if (category) rows.sort((a, b) => a.rank - b.rank || b.residents - a.residents);
  return rows;
}

function coveragePopup(p, categories) {
  const missing = missingText(p.missing, categories);
  const rows = [
    [gettext("区县"), p.district],
    [gettext("街道"), p.street],
    [gettext("居民"), p.residents],
    [gettext("覆盖得分"), p.score],
    [gettext("缺失必配设施"), missing],
  ];
  if (p.category) {
    rows.push([interpolate(gettext("到%(category)s步行距离(m)"), { category: categories[p.category] ?? p.category }), p.distance_m ?? gettext("超出范围")]);
    rows.push([gettext("步行可达（有没有）"), p.covered ? gettext("是") : gettext("否")]);
    if (p.adequate !== undefined) {
      rows.push([gettext("满足需求（够不够）"), p.adequate ? gettext("是") : gettext("否")]);
      rows.push([gettext("需求人数"), p.demand]);
      rows.push([gettext("供需比（1 = 达到标准）"), p.ratio]);
      rows.push([gettext("缺口"), `${p.shortfall} ${unitName(p.unit)}`]);
    }
  }
  rows.push([gettext("覆盖得分（有没有 / 够不够）"), `${p.score_distance} / ${p.score_capacity ?? "—"}`]);
  return attributeTable(p.name, rows);
}

/** The URL of a run's resource (`name` one of the lifecircle-* URL names). */
export function runUrl(config, name, runId, args = {}) {
  return urlFor(config.urls, name, { pk: runId, ...args });
}

function supplyPopup(p) {
  return attributeTable(p.name || p.code, [
    [gettext("供给"), `${p.supply} ${unitName(p.unit)}`],
    [gettext("数据来源"), p.note],
    [gettext("每需求人供给 R"), p.ratio],
  ]);
}

function unreachablePopup(p) {
  return attributeTable(p.name || p.code, [
    [gettext("类型"), p.kind === "amenity" ? gettext("设施（未接入路网）") : gettext("小区（未接入路网）")],
    [gettext("类别"), p.category],
    [gettext("距路网(m)"), p.distance_to_network_m],
  ]);
}

function labelled(text, control) {
  const label = el("label", text);
  label.appendChild(control);
  return label;
}

/**
 * The life-circle result of one map: `show(runId)` draws a run (the latest when null) and
 * replaces the one drawn before. Its state (the run shown, its layers, the category
 * filter) is this object's, one per map.
 */
export function lifeCircleView(map, control, config) {
  // onData(data, category, run): called with each load of the communities (the category
  // filter's too), for the panel's table (a promise: the load waits for it);
  // focus(code): zoom to and highlight a community
  // analysis(code): {run, node} the run's values of a community (the planner's record
  // card shows them in its "分析" tab), null when the run shown has none; themed(theme):
  // the run's layers follow the map's theme
  const view = { shown: null, onData: null, focus: () => {}, analysis: () => null, feature: () => null, themed: () => {} };
  /** The run's tile layers (its network islands), for clicks. */
  view.tiles = () => (view.shown ? [view.shown.islands, view.shown.results] : []);
  /** The category picked in the filter, by name ("" for none: the score). */
  view.category = () => "";
  onTheme(map, (theme) => view.themed(theme));

  const clear = () => {
    if (!view.shown) return;
    for (const l of view.shown.layers) {
      control.removeLayer(l);
      map.removeLayer(l);
    }
    view.shown.filter.remove();
    view.shown = null;
    view.themed = () => {}; // the run gone, its layers follow no theme
  };

  // onLayer(layer): called with the run's layer as soon as it exists, before the
  // communities' rows are loaded (the planner adds it to the map then)
  view.show = async (runId = null, { onLayer } = {}) => {
    let run;
    try {
      run = await getJSON(runId ? runUrl(config, "lifecircle-run", runId) : urlFor(config.urls, "lifecircle-latest"));
    } catch {
      return null; // no run yet
    }
    clear();
    const capacityCategories = new Set(run.summary?.capacity?.categories ?? []);
    themeAvailable(map, "capacity", capacityCategories.size > 0);
    const state = { category: "", gaps: gapsForTheme(themeOf(map)) ?? "distance", summary: null };
    if (state.gaps === "capacity" && !capacityCategories.size) {
      state.gaps = "distance"; // a run without capacity standards: the score of reach
      setTheme(map, "score");
    }
    // the run's layers come in the same request per tile as the city's (?run=)
    const source = tileSourceFor(config.urls, "planner-tile");
    const query = { run: String(run.id) };
    // the score of every community from the run's tiles (results joined in SQL); with a
    // category picked, the tiles also carry its gaps (?category=: within reach, enough)
    const results = tileLayer(map, {
      key: "results",
      label: gettext("生活圈覆盖得分"),
      source,
      query,
      minzoom: RESULTS_MIN_ZOOM,
      // the theme's colour of the score of the gaps chosen, or of the picked category
      paint: { fill: (p) => categoryFill(p, state, themeOf(map)), stroke: "#263238" },
    });
    const layer = L.layerGroup([results]);
    onLayer?.(layer);
    // the community a table row points at: drawn over the map from the loaded data
    // (the score choropleth is tiles, so there is no vector layer of every community)
    let lastData = null;
    let focused = null;
    // a community of the loaded data by code (its geometry, for the what-if's highlights)
    view.feature = (code) => lastData?.features.find((f) => f.properties.code === code) ?? null;
    view.focus = (code) => {
      const feature = lastData?.features.find((f) => f.properties.code === code);
      if (!feature) return;
      if (!map.hasLayer(layer)) layer.addTo(map);
      if (focused) layer.removeLayer(focused);
      focused = L.geoJSON(feature, { style: () => HIGHLIGHT, interactive: false });
      layer.addLayer(focused);
      map.fitBounds(focused.getBounds(), { padding: [40, 40], maxZoom: 17, animate: false });
      L.popup().setLatLng(focused.getBounds().getCenter()).setContent(coveragePopup(feature.properties, config.categories)).openOn(map);
      document.body.dataset.communityFocused = code;
    };
    view.analysis = (code) => {
      const feature = lastData?.features.find((f) => f.properties.code === code);
      return feature ? { run: run.id, node: coveragePopup(feature.properties, config.categories) } : null;
    };
    const supplyPane = paneFor(map, "supply");
    const supplyLayer = L.geoJSON(null, {
      pane: supplyPane,
      pointToLayer: (f, latlng) =>
        L.circleMarker(latlng, { pane: supplyPane, radius: 5, color: "#4a148c", weight: 1.5, fillColor: f.properties.idle ? "#bdbdbd" : "#ab47bc", fillOpacity: 0.9 }),
      onEachFeature: (f, l) => l.bindPopup(() => supplyPopup(f.properties)),
    });
    const load = async () => {
      const params = { gaps: state.gaps };
      if (state.category) params.category = state.category;
      // every community's row for the panel's table (drawn only for one category)
      const data = await getJSON(runUrl(config, "lifecircle-communities", run.id), params);
      if (focused) layer.removeLayer(focused);
      focused = null;
      lastData = data;
      await view.onData?.(data, state.category, run); // the panel's table filled
      document.body.dataset.lifecircleFeatures = String(data.features.length);
      supplyLayer.clearLayers();
      // the category's gaps come with the run's tiles (one request per tile still)
      results.setQuery(state.category ? { ...query, category: state.category } : query);
      if (state.category) {
        if (capacityCategories.has(state.category)) {
          supplyLayer.addData(await getJSON(runUrl(config, "lifecircle-supply", run.id), { category: state.category }));
        }
        if (state.summary) showSummary(state.summary, reachAndEnough(data.features));
      } else {
        results.repaint(); // the score of the chosen gaps, from the tiles already loaded
        if (state.summary) showSummary(state.summary, null);
      }
      document.body.dataset.lifecircleCategory = state.category;
      document.body.dataset.lifecircleGaps = state.gaps;
      map.fire("mapkeychange"); // the legend names the category
    };
    view.category = () => (state.category ? (config.categories[state.category] ?? state.category) : "");
    // a life-circle theme picks the gaps it reads; the map shows the run with it
    view.themed = (theme) => {
      const gaps = gapsForTheme(theme);
      if (gaps && !map.hasLayer(layer)) layer.addTo(map);
      const select = document.getElementById("lifecircle-gaps");
      if (gaps && gaps !== state.gaps) {
        state.gaps = gaps;
        if (select) select.value = gaps;
        load();
      } else {
        results.repaint();
      }
    };
    await load();
    addOverlay(control, layer, interpolate(gettext("生活圈覆盖得分（分析 #%(id)s）"), { id: run.id }), "lifecircle");
    const unreachable = await getJSON(runUrl(config, "lifecircle-unreachable", run.id));
    const unreachablePane = paneFor(map, "unreachable");
    const unreachableLayer = L.geoJSON(unreachable, {
      pane: unreachablePane,
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { pane: unreachablePane, radius: 6, color: "#000", weight: 2, fillColor: "#ffeb3b", fillOpacity: 1 }),
      onEachFeature: (f, l) => l.bindPopup(() => unreachablePopup(f.properties)),
    });
    addOverlay(control, unreachableLayer, interpolate(gettext("未接入路网（%(count)s）"), { count: unreachable.features.length }), "unreachable");
    supplyLayer.addTo(map);
    addOverlay(control, supplyLayer, gettext("设施供给（容量及来源）"), "supply");
    // the walk-network components the run left out of snapping (nothing snapped to them)
    const islandsLabel = gettext("路网孤岛（未参与吸附）");
    const islands = tileLayer(map, { key: "islands", label: islandsLabel, source, query, minzoom: ISLANDS_MIN_ZOOM });
    addOverlay(control, islands, islandsLabel, "islands");

    const filter = L.control({ position: "topleft" });
    filter.onAdd = () => {
      const div = L.DomUtil.create("div", "legend lifecircle-filter");
      L.DomEvent.disableClickPropagation(div);
      const select = fillSelect(document.createElement("select"), [["", gettext("全部（覆盖得分）")], ...Object.entries(config.categories)]);
      select.id = "lifecircle-category";
      select.addEventListener("change", () => {
        state.category = select.value;
        // a category is read under a life-circle theme: the one of the gaps chosen
        if (state.category && !gapsForTheme(themeOf(map))) setTheme(map, themeForGaps(state.gaps));
        load();
      });
      const gaps = fillSelect(document.createElement("select"), [
        ["distance", gettext("步行可达（有没有）")],
        ["capacity", gettext("满足需求（够不够）")],
      ]);
      gaps.id = "lifecircle-gaps";
      gaps.disabled = capacityCategories.size === 0;
      gaps.value = state.gaps;
      // the gaps are the life-circle theme's: choosing them colours the map by them
      gaps.addEventListener("change", () => {
        if (!map.hasLayer(layer)) layer.addTo(map);
        if (themeForGaps(gaps.value) !== themeOf(map)) {
          setTheme(map, themeForGaps(gaps.value)); // view.themed loads with the new gaps
        } else if (gaps.value !== state.gaps) {
          state.gaps = gaps.value;
          load();
        }
      });
      state.summary = el("table", null, "reach-enough");
      state.summary.id = "lifecircle-reach-enough";
      state.summary.hidden = true;
      div.append(labelled(gettext("生活圈设施："), select), labelled(gettext("缺口依据："), gaps), state.summary);
      return div;
    };
    filter.addTo(map);
    // the filter is there while the run's layer is on the map (its legend: the map key)
    const showFilter = () => {
      filter.getContainer().hidden = !map.hasLayer(layer);
    };
    layer.on("add remove", () => queueMicrotask(showFilter));
    showFilter();
    view.shown = { run, layers: [layer, unreachableLayer, supplyLayer, islands], filter, islands, results };
    document.body.dataset.lifecircleRun = String(run.id);
    return layer;
  };
  return view;
}

/** "Within reach" and "enough for the residents" of the chosen category, side by side. */
function showSummary(table, t) {
  table.replaceChildren();
  table.hidden = !t;
  if (!t) return;
  const head = table.createTHead().insertRow();
  for (const text of ["", gettext("步行可达（有没有）"), gettext("满足需求（够不够）")]) {
    const th = document.createElement("th");
    th.textContent = text;
    head.appendChild(th);
  }
  const body = table.createTBody();
  const na = gettext("无容量标准");
  for (const [label, a, b] of [
    [gettext("小区"), `${t.reach} / ${t.communities}`, t.capacity ? `${t.enough} / ${t.communities}` : na],
    [gettext("居民"), `${t.reachResidents} / ${t.residents}`, t.capacity ? `${t.enoughResidents} / ${t.residents}` : na],
    [gettext("缺口"), "—", t.capacity ? `${Math.round(t.shortfall * 10) / 10} ${unitName(t.unit)}` : na],
  ]) {
    const tr = body.insertRow();
    for (const [i, v] of [label, a, b].entries()) {
      const td = document.createElement(i ? "td" : "th");
      td.textContent = v;
      tr.appendChild(td);
    }
  }
}
