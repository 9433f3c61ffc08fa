// Planner workspace: every layer, search, draw and edit with history and undo, analyses.
import { getJSON, sendJSON } from "./lib/api.js";
import { addOverlay, el } from "./lib/dom.js";
import { FIELDS, KIND_LABELS, POINT_KINDS, buildForm, readForm, showErrors } from "./lib/forms.js";
import { LAYERS, addLegend, buildLayer } from "./lib/layers.js";
import { addBlocks } from "./lib/blocks.js";
import { addLifeCircle, runUrl, unitName } from "./lib/lifecircle.js";
import { addSiting } from "./lib/siting.js";
import { addBasemap } from "./lib/basemap.js";
import { idleLandStyle } from "./lib/styles.js";
import { gettext, interpolate } from "./lib/i18n.js";

const config = JSON.parse(document.getElementById("map-config").textContent);
const $ = (id) => document.getElementById(id);
const EDIT_STYLES = {
  planning_area: { color: "#0d47a1", weight: 2, fillColor: "#42a5f5", fillOpacity: 0.25 },
  idle_land: null,
};
const editable = {}; // kind → L.FeatureGroup
let current = null; // {kind, layer, feature} being edited
let map;
let control;

function say(el, text, cls = "") {
  el.textContent = text;
  el.className = `messages ${cls}`;
}

function featureLayer(kind, feature) {
  let layer;
  if (POINT_KINDS.has(kind)) {
    const [lon, lat] = feature.geometry.coordinates;
    const colour = kind === "amenity" ? "#00695c" : "#4a148c";
    layer = L.circleMarker([lat, lon], { radius: kind === "amenity" ? 4 : 6, color: colour, weight: 2, fillColor: "#fff", fillOpacity: 0.9 });
  } else {
    // Leaflet.draw edits simple polygons: a one-part MultiPolygon becomes a Polygon
    const g = feature.geometry;
    if (g.type === "MultiPolygon" && g.coordinates.length === 1) {
      feature = { ...feature, geometry: { type: "Polygon", coordinates: g.coordinates[0] } };
    }
    const style = kind === "idle_land" ? idleLandStyle(feature) : EDIT_STYLES[kind];
    layer = L.geoJSON(feature, { style: () => style }).getLayers()[0];
  }
  layer.feature = feature;
  layer.on("click", () => openEditor(kind, layer));
  return layer;
}

// amenities are many: loaded for the visible area only, from this zoom on
const BBOX_KINDS = { amenity: 16 };
// shown once switched on in the layer control (many points)
const OFF_BY_DEFAULT = new Set(["amenity"]);

async function loadEditable(kind) {
  const group = editable[kind] ?? L.featureGroup();
  if (!editable[kind] && !OFF_BY_DEFAULT.has(kind)) group.addTo(map);
  if (!editable[kind]) {
    editable[kind] = group;
    addOverlay(control, group, interpolate(gettext("%(kind)s（可编辑）"), { kind: KIND_LABELS[kind] }));
  }
  group.clearLayers();
  const params = {};
  if (BBOX_KINDS[kind]) {
    if (map.getZoom() < BBOX_KINDS[kind]) return;
    params.bbox = map.getBounds().toBBoxString();
  }
  const data = await getJSON(`${config.features}${kind}/`, params);
  for (const f of data.features) group.addLayer(featureLayer(kind, f));
  document.body.dataset[`loaded_${kind}`] = String(data.features.length);
}

function geometryOf(layer) {
  return layer.toGeoJSON().geometry;
}

async function showHistory(kind, code) {
  const list = $("history");
  list.replaceChildren();
  try {
    const rows = await getJSON(`${config.features}${kind}/${encodeURIComponent(code)}/history/`);
    for (const r of rows) {
      const li = document.createElement("li");
      li.textContent = `v${r.version} · ${r.what} · ${r.who ?? "—"} · ${r.when.slice(0, 19).replace("T", " ")} ${r.reason}`;
      list.appendChild(li);
    }
  } catch {
    /* a new feature has no history yet */
  }
}

function openEditor(kind, layer) {
  closeEditor(false);
  current = { kind, layer, feature: layer.feature };
  const props = layer.feature?.properties ?? {};
  $("editor").hidden = false;
  $("editor-title").textContent = props.code
    ? interpolate(gettext("%(kind)s %(name)s（v%(version)s）"), { kind: KIND_LABELS[kind], name: props.name || props.code, version: props.version })
    : interpolate(gettext("新建%(kind)s"), { kind: KIND_LABELS[kind] });
  buildForm($("feature-form"), kind, props, config.categories);
  say($("editor-messages"), "");
  $("btn-delete").hidden = !props.code;
  $("btn-undo").hidden = !props.code;
  if (props.code) showHistory(kind, props.code);
  else $("history").replaceChildren();
}

function closeEditor(removeNew = true) {
  if (!current) return;
  if (current.layer._handle) map.removeLayer(current.layer._handle);
  if (current.layer.editing?.enabled()) current.layer.editing.disable();
  if (current.layer.dragging?.enabled()) current.layer.dragging.disable();
  if (removeNew && !current.feature?.properties?.code) map.removeLayer(current.layer);
  current = null;
  $("editor").hidden = true;
}

function reportWarnings(body) {
  const warnings = body?.warnings ?? [];
  say($("editor-messages"), warnings.length ? `${gettext("已保存。")}${warnings.join(" ")}` : gettext("已保存。"), warnings.length ? "warn" : "ok");
}

async function save() {
  if (!current) return;
  const { kind, layer } = current;
  const form = $("feature-form");
  const props = readForm(form, kind);
  const code = layer.feature?.properties?.code;
  const shapeEdited = Boolean(layer._shapeEdited);
  let res;
  if (code) {
    res = await sendJSON("PATCH", `${config.features}${kind}/${encodeURIComponent(code)}/`, {
      version: layer.feature.properties.version,
      properties: props,
      geometry: shapeEdited ? geometryOf(layer) : undefined,
    });
  } else {
    res = await sendJSON("POST", `${config.features}${kind}/`, { properties: props, geometry: geometryOf(layer) });
  }
  if (res.status === 200 || res.status === 201) {
    const feature = res.body.feature;
    if (!code) map.removeLayer(layer);
    await loadEditable(kind);
    const fresh = editable[kind].getLayers().find((l) => l.feature.id === feature.id);
    if (fresh) openEditor(kind, fresh);
    reportWarnings(res.body);
    document.body.dataset.lastSaved = feature.id;
  } else if (res.status === 409) {
    say($("editor-messages"), `${res.body.detail}`, "error");
    document.body.dataset.conflict = "1";
  } else if (res.status === 400) {
    const rest = showErrors(form, res.body);
    say($("editor-messages"), rest.length ? rest.join("；") : gettext("请更正标出的字段。"), "error");
  } else {
    say($("editor-messages"), res.body?.detail ?? interpolate(gettext("保存失败（%(status)s）"), { status: res.status }), "error");
  }
}

async function remove() {
  if (!current?.feature?.properties?.code) return;
  const { kind, feature } = current;
  if (!window.confirm(interpolate(gettext("删除 %(name)s？（可撤销）"), { name: feature.properties.name || feature.id }))) return;
  const res = await sendJSON("DELETE", `${config.features}${kind}/${encodeURIComponent(feature.id)}/?version=${feature.properties.version}`);
  if (res.status === 204) {
    closeEditor();
    await loadEditable(kind);
  } else {
    say($("editor-messages"), res.body?.detail ?? interpolate(gettext("删除失败（%(status)s）"), { status: res.status }), "error");
  }
}

async function undo() {
  if (!current?.feature?.properties?.code) return;
  const { kind, feature } = current;
  const res = await sendJSON("POST", `${config.features}${kind}/${encodeURIComponent(feature.id)}/undo/`);
  if (res.status === 200) {
    await loadEditable(kind);
    const fresh = editable[kind].getLayers().find((l) => l.feature.id === feature.id);
    if (fresh) openEditor(kind, fresh);
    say($("editor-messages"), gettext("已撤销上次修改。"), "ok");
  } else {
    say($("editor-messages"), res.body?.history ?? res.body?.detail ?? interpolate(gettext("撤销失败（%(status)s）"), { status: res.status }), "error");
  }
}

function editShape() {
  if (!current) return;
  const { layer } = current;
  if (layer.feature?.geometry?.type === "MultiPolygon") {
    say($("editor-messages"), gettext("多部件图形请在管理后台编辑。"), "warn");
    return;
  }
  if (layer instanceof L.CircleMarker) {
    // points move with a draggable handle
    const handle = L.marker(layer.getLatLng(), { draggable: true }).addTo(map);
    handle.on("drag", () => layer.setLatLng(handle.getLatLng()));
    handle.on("dragend", () => {
      layer._shapeEdited = true;
    });
    layer._handle = handle;
    say($("editor-messages"), gettext("拖动标记移动位置，然后点击“保存”。"));
    return;
  }
  if (layer.editing) {
    layer.editing.enable();
    layer.on("edit", () => {
      layer._shapeEdited = true;
    });
  }
  if (layer.dragging) {
    layer.dragging.enable();
    layer.on("dragend", () => {
      layer._shapeEdited = true;
    });
  }
  say($("editor-messages"), gettext("拖动顶点修改形状，然后点击“保存”。"));
}

function setupDraw() {
  const drawControl = new L.Control.Draw({
    position: "topleft",
    draw: { polyline: false, circle: false, circlemarker: false, rectangle: false, polygon: { allowIntersection: false, showArea: true }, marker: true },
    edit: false,
  });
  map.addControl(drawControl);
  map.on(L.Draw.Event.CREATED, (e) => {
    const kind = $("draw-kind").value;
    const isPoint = e.layerType === "marker";
    if (isPoint !== POINT_KINDS.has(kind)) {
      window.alert(
        interpolate(isPoint ? gettext("%(kind)s需要绘制多边形。") : gettext("%(kind)s需要放置点位。"), { kind: KIND_LABELS[kind] }),
      );
      return;
    }
    const layer = e.layer;
    layer.addTo(map);
    layer.feature = null;
    openEditor(kind, layer);
  });
}

function setupSearch() {
  let timer;
  $("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = $("search").value.trim();
      const list = $("search-results");
      list.replaceChildren();
      if (!q) return;
      const rows = await getJSON(config.search, { q });
      for (const r of rows) {
        const li = document.createElement("li");
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = `${r.name}（${r.district || r.layer}）`;
        b.addEventListener("click", () => map.setView([r.lat, r.lon], 17));
        li.appendChild(b);
        list.appendChild(li);
      }
    }, 250);
  });
}

function sortTable(table, key) {
  const tbody = table.tBodies[0];
  const rows = [...tbody.rows];
  const asc = table.dataset.sortKey === key ? table.dataset.sortAsc !== "1" : true;
  rows.sort((a, b) => {
    const x = a.dataset[key];
    const y = b.dataset[key];
    const nx = Number(x);
    const ny = Number(y);
    const cmp = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y, "zh") : nx - ny;
    return asc ? cmp : -cmp;
  });
  table.dataset.sortKey = key;
  table.dataset.sortAsc = asc ? "1" : "0";
  tbody.replaceChildren(...rows);
}

async function showResults(runId) {
  await addLifeCircle(map, control, config, runId);
  const data = await getJSON(`${runUrl(config, runId)}communities.geojson`);
  const table = $("results");
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  for (const f of data.features) {
    const p = f.properties;
    const tr = document.createElement("tr");
    Object.assign(tr.dataset, { name: p.name, district: p.district, residents: p.residents, score: p.score });
    for (const v of [p.name, p.district, p.residents, p.score]) {
      const td = document.createElement("td");
      td.textContent = String(v);
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }
  table.hidden = false;
  sortTable(table, "score");
  const links = $("lifecircle-downloads");
  links.replaceChildren(document.createTextNode(gettext("下载：")));
  for (const fmt of ["csv", "xlsx", "geojson", "gpkg"]) {
    const a = document.createElement("a");
    a.href = config.export.replace("/0/", `/${runId}/`).replace("FMT", fmt);
    a.textContent = fmt.toUpperCase();
    links.append(a, document.createTextNode(" "));
  }
}

/** Queue an analysis, follow its progress, resolve with the finished run (or null). */
async function queueAnalysis(kind, body, statusEl, bar) {
  const res = await sendJSON("POST", `${config.analyses}${kind}/`, body);
  return followRun(res, statusEl, bar);
}

/** A failed run can be queued again (same parameters): a button beside its error. */
function offerRequeue(runId, statusEl, bar) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "requeue";
  button.textContent = gettext("重新排队");
  button.onclick = async () => {
    button.disabled = true;
    const res = await sendJSON("POST", config.run_requeue.replace("/0/", `/${runId}/`), {});
    await followRun(res, statusEl, bar);
  };
  statusEl.append(" ", button);
}

async function followRun(res, statusEl, bar) {
  if (res.status !== 202) {
    say(statusEl, res.body?.detail ?? JSON.stringify(res.body), "error");
    return null;
  }
  const runId = res.body.id;
  bar.hidden = false;
  try {
    for (;;) {
      const run = await getJSON(config.run_detail.replace("/0/", `/${runId}/`));
      bar.value = run.progress;
      say(statusEl, interpolate(gettext("分析 #%(id)s：%(status)s（%(progress)s%）"), { id: runId, status: run.status, progress: run.progress }));
      if (run.status === "done") return run;
      if (run.status === "failed") {
        say(statusEl, interpolate(gettext("分析失败：%(error)s"), { error: run.error }), "error");
        offerRequeue(runId, statusEl, bar);
        return null;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    bar.hidden = true;
  }
}

function fillTable(table, rows, columns) {
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  for (const row of rows) {
    const tr = document.createElement("tr");
    for (const key of columns) {
      tr.dataset[key] = String(row[key] ?? "");
      const td = document.createElement("td");
      td.textContent = String(row[key] ?? "");
      tr.appendChild(td);
    }
    tbody.appendChild(tr);
  }
  table.hidden = false;
  for (const th of table.tHead.rows[0].cells) th.onclick = () => sortTable(table, th.dataset.key);
}

function formBody(form) {
  const body = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") body[el.name] = el.checked;
    else if (el.type === "number") body[el.name] = el.value === "" ? undefined : Number(el.value);
    else if (el.value !== "") body[el.name] = el.value;
  }
  return body;
}

function setupAnalyses() {
  // a district planner analyses their own district (the access policy refuses others)
  const own = config.role === "district_planner" ? config.district : null;
  for (const sel of document.querySelectorAll(".district-select")) {
    if (own) sel.replaceChildren();
    for (const d of config.districts) {
      if (own && d.code !== own) continue;
      const o = document.createElement("option");
      o.value = d.code;
      o.textContent = d.name;
      sel.appendChild(o);
    }
  }
  const cat = $("siting-category");
  for (const [code, name] of Object.entries(config.categories)) {
    const o = document.createElement("option");
    o.value = code;
    o.textContent = name;
    cat.appendChild(o);
  }
  cat.value = "elderly_daycare";
  if (!config.can_run) {
    for (const b of document.querySelectorAll("#panel form button[type=submit]")) b.disabled = true;
    say($("lifecircle-status"), gettext("您的角色只能查看分析结果。"));
  }
  for (const th of $("results").tHead.rows[0].cells) th.addEventListener("click", () => sortTable($("results"), th.dataset.key));

  $("lifecircle-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const run = await queueAnalysis("lifecircle", formBody(e.target), $("lifecircle-status"), $("lifecircle-progress"));
    if (!run) return;
    say(
      $("lifecircle-status"),
      interpolate(gettext("分析 #%(id)s 完成：平均得分 %(score)s，用时 %(seconds)s 秒。"), {
        id: run.id,
        score: run.summary.mean_score,
        seconds: run.duration_s.toFixed(1),
      }),
      "ok",
    );
    await showResults(run.id);
    document.body.dataset.lifecircleDone = String(run.id);
  });

  const wcat = $("whatif-category");
  for (const [code, name] of Object.entries(config.categories)) {
    const o = document.createElement("option");
    o.value = code;
    o.textContent = name;
    wcat.appendChild(o);
  }
  wcat.value = "elderly_daycare";
  $("btn-whatif").addEventListener("click", () => {
    const runId = document.body.dataset.lifecircleRun;
    if (!runId) {
      say($("whatif-status"), gettext("请先运行一次生活圈分析。"), "error");
      return;
    }
    say($("whatif-status"), gettext("点击地图放置假设设施……"));
    map.getContainer().style.cursor = "crosshair";
    // preclick: also when the click lands on a feature (whose popup stops "click")
    map.once("preclick", async (ev) => {
      map.getContainer().style.cursor = "";
      const facility = { category: wcat.value, lon: ev.latlng.lng, lat: ev.latlng.lat };
      const places = $("whatif-capacity").value;
      if (places !== "") facility.capacity = Number(places);
      const body = { facilities: [facility] };
      const res = await sendJSON("POST", `${runUrl(config, runId)}what-if/`, body);
      if (res.status !== 200) {
        say($("whatif-status"), res.body?.detail ?? JSON.stringify(res.body), "error");
        return;
      }
      const r = res.body;
      L.circleMarker(ev.latlng, { radius: 8, color: "#6a1b9a", weight: 3, fillColor: "#ce93d8", fillOpacity: 1 })
        .bindPopup(el("span", interpolate(gettext("假设设施：%(c)s"), { c: config.categories[wcat.value] })))
        .addTo(map);
      const residents = Object.values(r.residents_newly_covered).reduce((a, b) => a + b, 0);
      let text = interpolate(gettext("新增覆盖 %(n)s 个小区、%(r)s 名居民；平均得分 %(b)s → %(a)s（%(t)s 秒，未保存）"), {
        n: r.communities_newly_covered, r: residents, b: r.mean_score_before, a: r.mean_score_after, t: r.elapsed_s,
      }, true);
      const cap = r.capacity;
      if (cap && cap.categories.includes(wcat.value)) {
        const added = cap.supply_added[0];
        text += " " + interpolate(gettext("够不够：新增供给 %(s)s %(u)s（%(note)s），缺口减少 %(d)s %(u)s（%(n)s 个小区），满足需求的居民 %(b)s → %(a)s。"), {
          s: added?.supply ?? 0, u: unitName(added?.unit), note: added?.note ?? "", d: cap.shortfall_reduced[wcat.value], n: cap.changed.length,
          b: cap.residents_adequate_before[wcat.value], a: cap.residents_adequate_after[wcat.value],
        }, true);
        document.body.dataset.whatifShortfallReduced = String(cap.shortfall_reduced[wcat.value]);
      }
      say($("whatif-status"), text, "ok");
      document.body.dataset.whatifDone = String(r.communities_newly_covered);
    });
  });

  $("bundling-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const run = await queueAnalysis("bundling", formBody(e.target), $("bundling-status"), $("bundling-progress"));
    if (!run) return;
    const data = await getJSON(config.blocks_export.replace("/0/", `/${run.id}/`));
    const rows = data.features.map((f) => ({ name: f.properties.name, members: f.properties.n_communities, households: f.properties.households }));
    fillTable($("blocks-table"), rows, ["name", "members", "households"]);
    const layer = await addBlocks(map, control, { ...config, blocks_visible: true });
    if (layer && layer.getLayers().length) map.fitBounds(layer.getBounds());
    say(
      $("bundling-status"),
      interpolate(gettext("分区 #%(id)s 完成：%(blocks)s 个片区，未入片区 %(unassigned)s 个小区。"), {
        id: run.id,
        blocks: data.features.length,
        unassigned: (run.summary.unassigned || []).length ?? 0,
      }),
      "ok",
    );
    document.body.dataset.bundlingDone = String(run.id);
  });

  $("siting-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = formBody(e.target);
    if (config.role === "district_planner" && config.district) body.districts = [config.district];
    const run = await queueAnalysis("siting", body, $("siting-status"), $("siting-progress"));
    if (!run) return;
    const data = await getJSON(`${config.siting_runs}${run.id}/candidates.geojson`);
    const rows = data.features.map((f) => ({
      rank: f.properties.rank,
      name: f.properties.name || f.properties.code || f.properties.candidate_code,
      gain: f.properties.gain_residents,
      chosen: f.properties.chosen_exact || f.properties.chosen_greedy ? "✓" : "",
    }));
    fillTable($("siting-table"), rows, ["rank", "name", "gain", "chosen"]);
    await addSiting(map, control, config);
    const links = $("siting-downloads");
    links.replaceChildren(document.createTextNode(gettext("下载：")));
    for (const fmt of ["xlsx", "geojson", "gpkg"]) {
      const a = document.createElement("a");
      a.href = config.siting_export.replace("/0/", `/${run.id}/`).replace(/xlsx$/, fmt);
      a.textContent = fmt.toUpperCase();
      links.append(a, document.createTextNode(" "));
    }
    say($("siting-status"), interpolate(gettext("选址 #%(id)s 完成。"), { id: run.id }), "ok");
    document.body.dataset.sitingDone = String(run.id);
  });
}

async function init(m) {
  map = m;
  addBasemap(map, config.tiles);
  control = L.control.layers(null, null, { collapsed: true }).addTo(map);
  addLegend(map, config);
  await Promise.all(
    LAYERS.filter((s) => !["idle_land", "vacant_housing", "amenities"].includes(s.key)).map(async (spec) => {
      const data = await getJSON(config.layers[spec.key]);
      const layer = buildLayer(data, spec.options, config);
      addOverlay(control, layer, spec.label);
      if (spec.on) layer.addTo(map);
      if (spec.key === "districts" && data.features.length) map.fitBounds(layer.getBounds());
    }),
  );
  await Promise.all(Object.keys(FIELDS).map((k) => loadEditable(k)));
  map.on("moveend", () => {
    for (const kind of Object.keys(BBOX_KINDS)) loadEditable(kind);
  });
  setupDraw();
  setupSearch();
  setupAnalyses();
  $("btn-save").addEventListener("click", save);
  $("btn-delete").addEventListener("click", remove);
  $("btn-undo").addEventListener("click", undo);
  $("btn-shape").addEventListener("click", editShape);
  $("btn-cancel").addEventListener("click", () => closeEditor());
  await Promise.all([addBlocks(map, control, config), addSiting(map, control, config)]);
  const latest = await addLifeCircle(map, control, config);
  if (latest) latest.addTo(map);
  window.__planner = { map, editable }; // for the browser tests and the console
  document.body.dataset.mapReady = "1";
}

window.addEventListener("map:init", (e) => init(e.detail.map));
