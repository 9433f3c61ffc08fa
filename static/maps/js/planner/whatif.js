// The what-if of the planner panel: hypothetical sites placed on the map add up into one
// scenario, computed together (one request with every site) on the life-circle run the
// map shows. Each site is listed (category, capacity, remove) and its marker can be
// dragged; the summary is a table per category; the communities that gain are outlined
// on the map and listed (a click zooms to one). Clear removes everything; Save keeps the
// sites as a what-if scenario, listed below to reopen (sites restored, recomputed) or delete.
import { getJSON, sendJSON } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { runUrl, unitName } from "../lib/lifecircle.js";
import { urlFor } from "../lib/urls.js";
import { gainedCommunities, summaryRows, summaryTotals, whatIfBody } from "../lib/whatif.js";
import { say } from "./ui.js";

/** The outline of a community that gains: cyan, dashed, unlike any theme's fill. */
const GAIN_STYLE = { color: "#00acc1", weight: 4, dashArray: "8 5", fillColor: "#00e5ff", fillOpacity: 0.18, className: "whatif-gain" };

function errorText(res) {
  return res.body?.detail ?? JSON.stringify(res.body);
}

function capacityText(site) {
  return site.capacity === null || site.capacity === undefined ? gettext("容量按标准估算") : interpolate(gettext("容量 %(c)s"), { c: site.capacity });
}

export function setupWhatIf(page) {
  const { map, config, $ } = page;
  const state = { sites: [], result: null, seq: 0, nextId: 1, runId: null };
  // the outlines above the themes' fills, below the markers
  if (!map.getPane("whatif")) map.createPane("whatif").style.zIndex = "450";
  const highlights = L.featureGroup().addTo(map);
  const body = document.body.dataset;
  const categoryName = (code) => config.categories[code] ?? code;

  const currentRun = () => document.body.dataset.lifecircleRun || state.runId;

  function markerIcon(n) {
    return L.divIcon({ className: "whatif-site-icon", html: el("span", String(n)), iconSize: [24, 24], iconAnchor: [12, 12] });
  }

  function removeSite(site) {
    site.marker.remove();
    state.sites = state.sites.filter((s) => s !== site);
    compute();
  }

  function sitePopup(site) {
    const root = el("div", null, "popup");
    root.append(el("h3", interpolate(gettext("假设设施：%(c)s"), { c: categoryName(site.category) })), el("p", capacityText(site)));
    const remove = el("button", gettext("移除"), "whatif-remove");
    remove.type = "button";
    remove.onclick = () => {
      map.closePopup();
      removeSite(site);
    };
    root.append(remove);
    return root;
  }

  function addSite({ category, lon, lat, capacity }) {
    const site = { id: state.nextId++, category, lon, lat, capacity: capacity ?? null };
    site.marker = L.marker([lat, lon], { draggable: true, icon: markerIcon(state.sites.length + 1), title: categoryName(category) });
    site.marker.bindPopup(() => sitePopup(site));
    site.marker.on("dragend", () => {
      const p = site.marker.getLatLng();
      site.lon = p.lng;
      site.lat = p.lat;
      compute();
    });
    site.marker.addTo(map);
    state.sites.push(site);
    return site;
  }

  function renderSites() {
    const list = $("whatif-sites");
    list.replaceChildren();
    state.sites.forEach((site, i) => {
      site.marker.setIcon(markerIcon(i + 1));
      const item = el("li");
      item.dataset.site = String(site.id);
      Object.assign(item.dataset, { category: site.category, lon: String(site.lon), lat: String(site.lat), capacity: String(site.capacity ?? "") });
      item.append(el("span", `${categoryName(site.category)} · ${capacityText(site)} `));
      const remove = el("button", gettext("移除"), "link");
      remove.type = "button";
      remove.onclick = () => removeSite(site);
      item.append(remove);
      list.append(item);
    });
    body.whatifSites = String(state.sites.length);
    $("btn-whatif-clear").disabled = state.sites.length === 0;
    $("btn-whatif-save").disabled = state.sites.length === 0 || !config.can_run;
  }

  function focusCommunity(code) {
    const layer = highlights.getLayers().find((l) => l.feature?.properties.code === code);
    if (layer) map.fitBounds(layer.getBounds(), { padding: [40, 40], maxZoom: 17, animate: false });
    page.lifecircle.focus(code);
  }

  function renderResult(r) {
    const summary = $("whatif-summary");
    const tbody = summary.tBodies[0];
    const tfoot = summary.tFoot;
    tbody.replaceChildren();
    tfoot.replaceChildren();
    highlights.clearLayers();
    $("whatif-gains").replaceChildren();
    if (!r) {
      summary.hidden = true;
      $("whatif-gains-box").hidden = true;
      for (const k of ["whatifDone", "whatifResidents", "whatifShortfallReduced", "whatifGains", "whatifScoreAfter"]) delete body[k];
      return;
    }
    const dash = "—";
    for (const row of summaryRows(r, state.sites)) {
      const tr = el("tr");
      tr.dataset.category = row.category;
      const shortfall = row.shortfall === null ? dash : `${row.shortfall} ${unitName(row.unit)}`.trim();
      for (const v of [categoryName(row.category), row.sites, row.communities, row.residents, shortfall]) tr.append(el("td", v));
      if (row.shortfall !== null) tr.dataset.shortfall = String(row.shortfall);
      tbody.append(tr);
    }
    const totals = summaryTotals(r);
    const total = el("tr", null, "whatif-total");
    for (const v of [gettext("合计"), state.sites.length, totals.communities, totals.residents, totals.shortfall ?? dash]) total.append(el("td", v));
    const score = el("tr", null, "whatif-score");
    score.append(el("td", gettext("平均得分")));
    const cell = el("td", `${totals.before} → ${totals.after}`);
    cell.colSpan = 4;
    score.append(cell);
    tfoot.append(total, score);
    summary.hidden = false;

    const gains = gainedCommunities(r);
    for (const g of gains) {
      const feature = page.lifecircle.feature(g.code);
      if (feature) highlights.addLayer(L.geoJSON(feature, { pane: "whatif", style: () => GAIN_STYLE, interactive: false }).getLayers()[0]);
      const what = [
        ...g.covered.map((c) => interpolate(gettext("新覆盖%(c)s"), { c: categoryName(c) })),
        ...g.shortfall.map((c) => interpolate(gettext("%(c)s缺口减少"), { c: categoryName(c) })),
      ].join(gettext("、"));
      const item = el("li");
      item.dataset.code = g.code;
      const link = el("button", interpolate(gettext("%(name)s（%(r)s 人）：%(what)s"), { name: g.name, r: g.residents, what }), "link");
      link.type = "button";
      link.onclick = () => focusCommunity(g.code);
      item.append(link);
      $("whatif-gains").append(item);
    }
    $("whatif-gains-box").hidden = gains.length === 0;
    body.whatifDone = String(r.communities_newly_covered);
    body.whatifResidents = String(totals.residents);
    body.whatifScoreAfter = String(totals.after);
    body.whatifGains = String(highlights.getLayers().length);
    if (totals.shortfall !== null) body.whatifShortfallReduced = String(totals.shortfall);
    else delete body.whatifShortfallReduced;
  }

  /** The what-if of every site together; a newer computation wins over an older answer. */
  async function compute() {
    renderSites();
    const seq = ++state.seq;
    if (state.sites.length === 0) {
      state.result = null;
      renderResult(null);
      say($("whatif-status"), "");
      body.whatifComputed = String(seq);
      return;
    }
    const runId = currentRun();
    body.whatifBusy = "1";
    const res = await sendJSON("POST", runUrl(config, "lifecircle-what-if", runId), whatIfBody(state.sites));
    if (seq !== state.seq) return;
    delete body.whatifBusy;
    if (res.status !== 200) {
      say($("whatif-status"), errorText(res), "error");
      body.whatifComputed = String(seq);
      return;
    }
    state.result = res.body;
    renderResult(res.body);
    const totals = summaryTotals(res.body);
    say(
      $("whatif-status"),
      interpolate(gettext("%(k)s 处假设设施合计（分析 #%(run)s）：新增覆盖 %(n)s 个小区、%(r)s 名居民（%(t)s 秒，未保存）"), {
        k: state.sites.length,
        run: runId,
        n: totals.communities,
        r: totals.residents,
        t: res.body.elapsed_s,
      }),
      "ok",
    );
    body.whatifComputed = String(seq);
  }

  function clear() {
    for (const s of state.sites) s.marker.remove();
    state.sites = [];
    map.closePopup();
    compute();
  }

  $("btn-whatif").addEventListener("click", () => {
    if (!currentRun()) {
      say($("whatif-status"), gettext("请先运行一次生活圈分析。"), "error");
      return;
    }
    say($("whatif-status"), gettext("点击地图放置假设设施……"));
    map.getContainer().style.cursor = "crosshair";
    // preclick: also when the click lands on a feature (whose popup stops "click")
    map.once("preclick", (ev) => {
      map.getContainer().style.cursor = "";
      const places = $("whatif-capacity").value;
      addSite({
        category: $("whatif-category").value,
        lon: ev.latlng.lng,
        lat: ev.latlng.lat,
        capacity: places === "" ? null : Number(places),
      });
      compute();
    });
  });
  $("btn-whatif-clear").addEventListener("click", clear);

  // saved scenarios: listed, reopened, deleted
  async function loadSaved() {
    let rows = [];
    try {
      rows = await getJSON(urlFor(config.urls, "siting-whatif-scenarios"));
    } catch {
      rows = [];
    }
    const list = $("whatif-saved");
    list.replaceChildren();
    for (const sc of rows) {
      const item = el("li");
      item.dataset.scenario = String(sc.id);
      const when = new Date(sc.created_at).toLocaleString(document.documentElement.lang || undefined);
      const who = sc.created_by ? ` · ${sc.created_by}` : "";
      const open = el("button", sc.name, "link whatif-open");
      open.type = "button";
      open.onclick = () => reopen(sc.id);
      item.append(open, el("span", ` · ${interpolate(gettext("%(n)s 处"), { n: sc.sites.length })}${who} · ${when} `));
      if (config.can_run) {
        const del = el("button", gettext("删除"), "link whatif-delete");
        del.type = "button";
        del.onclick = () => remove(sc.id);
        item.append(del);
      }
      list.append(item);
    }
    if (!rows.length) list.append(el("li", gettext("暂无"), "empty"));
    body.whatifSaved = String(rows.length);
  }

  async function reopen(id) {
    let sc;
    try {
      sc = await getJSON(urlFor(config.urls, "siting-whatif-scenario", { pk: id }));
    } catch {
      say($("whatif-status"), gettext("无法打开该方案。"), "error");
      return;
    }
    for (const s of state.sites) s.marker.remove();
    state.sites = [];
    state.runId = sc.lifecircle_run ? String(sc.lifecircle_run) : null;
    for (const s of sc.sites) addSite(s);
    $("whatif-name").value = sc.name;
    if (state.sites.length) map.fitBounds(L.latLngBounds(state.sites.map((s) => [s.lat, s.lon])), { padding: [60, 60], maxZoom: 16, animate: false });
    body.whatifOpened = String(sc.id);
    await compute();
  }

  async function remove(id) {
    const res = await sendJSON("DELETE", urlFor(config.urls, "siting-whatif-scenario", { pk: id }));
    if (res.status !== 204) {
      say($("whatif-status"), errorText(res), "error");
      return;
    }
    await loadSaved();
  }

  $("btn-whatif-save").addEventListener("click", async () => {
    const runId = currentRun();
    if (!runId || !state.sites.length) return;
    const res = await sendJSON("POST", urlFor(config.urls, "siting-whatif-scenarios"), {
      lifecircle_run: Number(runId),
      name: $("whatif-name").value,
      sites: whatIfBody(state.sites).facilities,
    });
    if (res.status !== 201) {
      say($("whatif-status"), errorText(res), "error");
      return;
    }
    say($("whatif-status"), interpolate(gettext("已保存方案“%(name)s”。"), { name: res.body.name }), "ok");
    await loadSaved();
  });

  // a new run on the map: the sites are asked again on it; the same run's data reloaded
  // (the category filter): the outlines drawn again from it
  let shownRun = null;
  const onData = page.lifecircle.onData;
  page.lifecircle.onData = (data, category, run) => {
    const filled = onData?.(data, category, run); // the results table, once filled
    const changed = shownRun !== null && shownRun !== run.id;
    shownRun = run.id;
    if (changed && state.sites.length) compute();
    else if (state.result) renderResult(state.result);
    return filled;
  };

  renderSites();
  loadSaved();
}
