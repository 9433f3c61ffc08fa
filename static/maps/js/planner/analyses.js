// The analysis forms of the planner panel: life circle (results table, downloads; the
// what-if of hypothetical sites is ./whatif.js),
// bundling into renovation blocks, siting on idle land. `page` is the page's state:
// {map, control, config, $, lifecircle, blocks} (lifecircle: the map's lifeCircleView;
// blocks: the BlocksPanel of ./blocks.js).
import { el, fillSelect } from "../lib/dom.js";
import { formBody } from "../lib/forms.js";
import { resultRows, runUrl } from "../lib/lifecircle.js";
import { addSiting, parkingTradeoff } from "../lib/siting.js";
import { fillTable, setHeader, sortTable } from "../lib/tables.js";
import { urlFor } from "../lib/urls.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { queueAnalysis } from "./runs.js";
import { downloadLinks, say } from "./ui.js";
import { setupWhatIf } from "./whatif.js";

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
  // the run just made is shown on the map (its choropleth replaces the one before); its
  // communities reach the table through page.lifecircle.onData
  const layer = await page.lifecircle.show(runId);
  layer?.addTo(page.map);
}

/** Resolves once the map's next frame was rendered (or after 100 ms where no frame
 * comes: a hidden tab). */
const afterPaint = () =>
  Promise.race([new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))), new Promise((r) => setTimeout(r, 100))]);

/** The results table: one row per community with its missing facilities by name; it
 * follows the map's category filter; a row zooms to and highlights its community.
 * Filled once the map's layers are in (page.layersIn) and the next frame rendered: a
 * city's 3,000 rows cost a few hundred ms of script and layout, which the map's first
 * paint does not wait for. Resolves when filled. */
async function fillResults(page, data, category, run) {
  await page.layersIn;
  await afterPaint();
  const { config, $ } = page;
  const table = $("results");
  const columns = [
    ["name", gettext("小区")],
    ["district", gettext("区县")],
    ["residents", gettext("居民")],
    ["score", gettext("得分")],
  ];
  if (category) {
    const name = config.categories[category] ?? category;
    columns.push(["distance", interpolate(gettext("到%(category)s步行距离(m)"), { category: name })], ["covered", gettext("步行可达")]);
    if (data.features.some((f) => f.properties.adequate !== undefined)) columns.push(["adequate", gettext("够用")]);
  }
  columns.push(["missing", gettext("缺失设施（按层级）")]);
  setHeader(table, columns);
  fillTable(
    table,
    resultRows(data.features, category, config.categories),
    columns.map(([key]) => key),
    { id: "code", onClick: (row) => page.lifecircle.focus(row.code) },
  );
  delete table.dataset.sortKey;
  if (!category) sortTable(table, "score");
  table.dataset.category = category;
  downloadLinks($("lifecircle-downloads"), gettext("下载："), ["csv", "xlsx", "geojson", "gpkg"], (fmt) =>
    runUrl(config, "lifecircle-export", run.id, { fmt }),
  );
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
  const { map, config, $ } = page;
  const run = await queueAnalysis(config.urls, "bundling", formBody(form), $("bundling-status"), $("bundling-progress"));
  if (!run) return;
  const layer = await page.blocks.load(run.id, { visible: true });
  if (layer && layer.getLayers().length) map.fitBounds(layer.getBounds());
  say(
    $("bundling-status"),
    interpolate(gettext("分区 #%(id)s 完成：%(blocks)s 个片区，未入片区 %(unassigned)s 个小区。"), {
      id: run.id,
      blocks: page.blocks.features.length,
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
  // the new result replaces the one shown before and is ticked at once
  if (page.siting) {
    control.removeLayer(page.siting);
    page.siting.remove();
  }
  page.siting = await addSiting(map, control, config, { runId: run.id, visible: true });
  showSites(page, page.siting);
  downloadLinks($("siting-downloads"), gettext("下载："), ["xlsx", "csv", "geojson", "gpkg"], (fmt) => urlFor(config.urls, "siting-export", { pk: run.id, fmt }));
  say(
    $("siting-status"),
    interpolate(gettext("选址 #%(id)s 完成：推荐 %(n)s 处（地图上以紫色星标显示）。"), { id: run.id, n: page.siting?.chosen.length ?? 0 }),
    "ok",
  );
  document.body.dataset.sitingDone = String(run.id);
}

/** The chosen sites listed first (a click zooms to one), then the ranked table. */
export function showSites(page, group) {
  const { $ } = page;
  if (!group) return;
  const list = $("siting-chosen");
  list.replaceChildren();
  for (const p of group.chosen) {
    const item = el("li");
    const link = el("button", interpolate(gettext("%(name)s：新增服务 %(gain)s 名居民"), { name: p.name || p.candidate_code, gain: p.gain_residents }), "link");
    link.type = "button";
    link.dataset.site = String(p.id);
    link.onclick = () => group.focusSite(p.id);
    item.append(link);
    list.append(item);
  }
  $("siting-chosen-box").hidden = group.chosen.length === 0;
  // the trade-off: residents the chosen sites serve against the parking they could hold
  const tradeoff = parkingTradeoff(group.run?.summary?.parking, group.candidates);
  $("siting-parking").textContent = tradeoff;
  $("siting-parking").hidden = !tradeoff;
  fillTable(
    $("siting-table"),
    group.candidates.map((p) => ({
      id: p.id,
      rank: p.rank,
      name: p.name || p.code || p.candidate_code,
      gain: p.gain_residents,
      parking: p.parking_gap_reduced ?? "",
      chosen: [p.chosen_exact ? gettext("精确解") : null, p.chosen_greedy ? gettext("贪心解") : null, p.prefer_parking ? gettext("宜作停车") : null].filter(Boolean).join(gettext("、")),
    })),
    ["rank", "name", "gain", "parking", "chosen"],
    { id: "id", onClick: (row) => group.focusSite(row.id) },
  );
}

export function setupAnalyses(page) {
  const { config, $ } = page;
  page.lifecircle.onData = (data, category, run) => fillResults(page, data, category, run);
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
