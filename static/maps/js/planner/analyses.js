// The analysis forms of the planner panel: life circle (results table, downloads, what-if),
// bundling into renovation blocks, siting on idle land. `page` is the page's state:
// {map, control, config, $, lifecircle} (lifecircle: the map's lifeCircleView).
import { getJSON, sendJSON } from "../lib/api.js";
import { el, fillSelect } from "../lib/dom.js";
import { formBody } from "../lib/forms.js";
import { addBlocks } from "../lib/blocks.js";
import { runUrl, unitName } from "../lib/lifecircle.js";
import { addSiting } from "../lib/siting.js";
import { fillTable, sortTable } from "../lib/tables.js";
import { urlFor } from "../lib/urls.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { queueAnalysis } from "./runs.js";
import { downloadLinks, say } from "./ui.js";

const DEFAULT_CATEGORY = "elderly_daycare";

/** The district choices of a role: a district planner analyses their own district only. */
export function districtChoices(config) {
  const own = config.role === "district_planner" ? config.district : null;
  return {
    keep: own ? 0 : 1, // the "全市" option stays for city-wide roles
    entries: config.districts.filter((d) => !own || d.code === own).map((d) => [d.code, d.name]),
  };
}

async function showResults(page, runId) {
  const { config, $ } = page;
  // the run just made is shown on the map (its choropleth replaces the one before)
  const layer = await page.lifecircle.show(runId);
  layer?.addTo(page.map);
  const data = await getJSON(runUrl(config, "lifecircle-communities", runId));
  const rows = data.features.map((f) => {
    const p = f.properties;
    return { name: p.name, district: p.district, residents: p.residents, score: p.score };
  });
  fillTable($("results"), rows, ["name", "district", "residents", "score"]);
  sortTable($("results"), "score");
  downloadLinks($("lifecircle-downloads"), gettext("下载："), ["csv", "xlsx", "geojson", "gpkg"], (fmt) =>
    runUrl(config, "lifecircle-export", runId, { fmt }),
  );
}

function whatIfText(r, category) {
  const residents = Object.values(r.residents_newly_covered).reduce((a, b) => a + b, 0);
  let text = interpolate(gettext("新增覆盖 %(n)s 个小区、%(r)s 名居民；平均得分 %(b)s → %(a)s（%(t)s 秒，未保存）"), {
    n: r.communities_newly_covered,
    r: residents,
    b: r.mean_score_before,
    a: r.mean_score_after,
    t: r.elapsed_s,
  });
  const cap = r.capacity;
  if (cap && cap.categories.includes(category)) {
    const added = cap.supply_added[0];
    text +=
      " " +
      interpolate(gettext("够不够：新增供给 %(s)s %(u)s（%(note)s），缺口减少 %(d)s %(u)s（%(n)s 个小区），满足需求的居民 %(b)s → %(a)s。"), {
        s: added?.supply ?? 0,
        u: unitName(added?.unit),
        note: added?.note ?? "",
        d: cap.shortfall_reduced[category],
        n: cap.changed.length,
        b: cap.residents_adequate_before[category],
        a: cap.residents_adequate_after[category],
      });
  }
  return text;
}

function setupWhatIf(page) {
  const { map, config, $ } = page;
  const category = $("whatif-category");
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
      const code = category.value;
      const facility = { category: code, lon: ev.latlng.lng, lat: ev.latlng.lat };
      const places = $("whatif-capacity").value;
      if (places !== "") facility.capacity = Number(places);
      const res = await sendJSON("POST", runUrl(config, "lifecircle-what-if", runId), { facilities: [facility] });
      if (res.status !== 200) {
        say($("whatif-status"), res.body?.detail ?? JSON.stringify(res.body), "error");
        return;
      }
      const r = res.body;
      L.circleMarker(ev.latlng, { radius: 8, color: "#6a1b9a", weight: 3, fillColor: "#ce93d8", fillOpacity: 1 })
        .bindPopup(el("span", interpolate(gettext("假设设施：%(c)s"), { c: config.categories[code] })))
        .addTo(map);
      if (r.capacity?.categories.includes(code)) {
        document.body.dataset.whatifShortfallReduced = String(r.capacity.shortfall_reduced[code]);
      }
      say($("whatif-status"), whatIfText(r, code), "ok");
      document.body.dataset.whatifDone = String(r.communities_newly_covered);
    });
  });
}

async function onLifeCircle(page, form) {
  const { $ } = page;
  const run = await queueAnalysis(page.config.urls, "lifecircle", formBody(form), $("lifecircle-status"), $("lifecircle-progress"));
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
  await showResults(page, run.id);
  document.body.dataset.lifecircleDone = String(run.id);
}

async function onBundling(page, form) {
  const { map, control, config, $ } = page;
  const run = await queueAnalysis(config.urls, "bundling", formBody(form), $("bundling-status"), $("bundling-progress"));
  if (!run) return;
  const data = await getJSON(urlFor(config.urls, "blocks-run-geojson", { pk: run.id }));
  const rows = data.features.map((f) => ({ name: f.properties.name, members: f.properties.n_communities, households: f.properties.households }));
  fillTable($("blocks-table"), rows, ["name", "members", "households"]);
  const layer = await addBlocks(map, control, { ...config, blocks_visible: true });
  if (layer && layer.getLayers().length) map.fitBounds(layer.getBounds());
  say(
    $("bundling-status"),
    interpolate(gettext("分区 #%(id)s 完成：%(blocks)s 个片区，未入片区 %(unassigned)s 个小区。"), {
      id: run.id,
      blocks: data.features.length,
      unassigned: (run.summary.unassigned || []).length,
    }),
    "ok",
  );
  document.body.dataset.bundlingDone = String(run.id);
}

async function onSiting(page, form) {
  const { map, control, config, $ } = page;
  const body = formBody(form);
  if (config.role === "district_planner" && config.district) body.districts = [config.district];
  const run = await queueAnalysis(config.urls, "siting", body, $("siting-status"), $("siting-progress"));
  if (!run) return;
  const data = await getJSON(urlFor(config.urls, "siting-candidates", { pk: run.id }));
  const rows = data.features.map((f) => ({
    rank: f.properties.rank,
    name: f.properties.name || f.properties.code || f.properties.candidate_code,
    gain: f.properties.gain_residents,
    chosen: f.properties.chosen_exact || f.properties.chosen_greedy ? "✓" : "",
  }));
  fillTable($("siting-table"), rows, ["rank", "name", "gain", "chosen"]);
  await addSiting(map, control, config);
  downloadLinks($("siting-downloads"), gettext("下载："), ["xlsx", "geojson", "gpkg"], (fmt) => urlFor(config.urls, "siting-export", { pk: run.id, fmt }));
  say($("siting-status"), interpolate(gettext("选址 #%(id)s 完成。"), { id: run.id }), "ok");
  document.body.dataset.sitingDone = String(run.id);
}

export function setupAnalyses(page) {
  const { config, $ } = page;
  const { keep, entries } = districtChoices(config);
  for (const select of document.querySelectorAll(".district-select")) fillSelect(select, entries, { keep });
  const categories = Object.entries(config.categories);
  fillSelect($("siting-category"), categories, { value: DEFAULT_CATEGORY });
  fillSelect($("whatif-category"), categories, { value: DEFAULT_CATEGORY });
  if (!config.can_run) {
    for (const b of document.querySelectorAll("#panel form button[type=submit]")) b.disabled = true;
    say($("lifecircle-status"), gettext("您的角色只能查看分析结果。"));
  }
  const handlers = { "lifecircle-form": onLifeCircle, "bundling-form": onBundling, "siting-form": onSiting };
  for (const [id, handler] of Object.entries(handlers)) {
    $(id).addEventListener("submit", (e) => {
      e.preventDefault();
      handler(page, e.target);
    });
  }
  setupWhatIf(page);
}
