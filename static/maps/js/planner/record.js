// A community's card in the planner's panel (#record): two tabs, "记录" its record as
// stored (planner-feature: stage, district, street, 社区, address, build year, households,
// buildings…; private columns only for the roles that see them) and "分析" the latest
// life-circle analysis of it (score, missing facilities per tier, reach and sufficiency:
// what the run's popup shows), read from the run on the map when the tab is shown.
// Built from DOM nodes: text is never parsed as HTML.
import { el, rowsTable } from "../lib/dom.js";
import { choiceLabel } from "../lib/choices.js";
import { stageColour } from "../lib/styles.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { inkOn } from "../lib/contrast.js";

/** The owners' committee as the record shows it: formed (with its date) or not. Pure. */
export function committeeText(p) {
  if (p.owners_committee === undefined) return undefined;
  if (!p.owners_committee) return gettext("未成立");
  return p.owners_committee_formed_on
    ? interpolate(gettext("已成立（%(date)s）"), { date: p.owners_committee_formed_on })
    : gettext("已成立");
}

/** The record tab's rows [label, value] of a community's properties. Pure. */
export function recordRows(p, config) {
  const c = (key, v) => choiceLabel(config, `community.${key}`, v);
  const rows = [
    [gettext("编码"), p.code],
    [gettext("区县"), p.district],
    [gettext("街道"), p.street],
    [gettext("社区"), p.committee],
    [gettext("地址"), p.address],
    [gettext("建成年份"), p.completion_year],
    [gettext("户数"), p.households],
    [gettext("居民"), p.residents],
    [gettext("楼栋"), p.buildings],
    [gettext("最高层数"), p.max_floors],
    [gettext("电梯"), p.lifts],
    [gettext("建筑面积(m²)"), p.floor_area_m2 === undefined ? undefined : Math.round(p.floor_area_m2)],
    [gettext("房屋类型"), c("housing_type", p.housing_type)],
    [gettext("土地性质"), c("land_tenure", p.land_tenure)],
    [gettext("物业管理"), c("property_management", p.property_management)],
    // governance (五(一), 五(二)): the programme's community card edits them
    [gettext("物业服务企业"), p.property_company || undefined],
    [gettext("物业服务等级"), p.service_level ? c("service_level", p.service_level) : undefined],
    [gettext("物业服务费(元/m²·月)"), p.property_fee ?? undefined],
    [gettext("业主委员会"), committeeText(p)],
    [gettext("可维修加固使用"), p.repairable],
    [gettext("C级危房栋数"), p.dangerous_c || undefined],
    [gettext("D级危房栋数"), p.dangerous_d || undefined],
    ...parkingRows(p.parking),
  ];
  // private columns: in the record only for the roles that read them (the API leaves them out)
  if (p.in_shanty_plan !== undefined) rows.push([gettext("列入棚改计划"), p.in_shanty_plan]);
  if (p.in_expropriation_plan !== undefined) rows.push([gettext("列入征收计划"), p.in_expropriation_plan]);
  return rows;
}

/** The parking rows [label, value] of a community: surveyed spaces, demand (households ×
 * the ratio in force), the gap and the ratios' source; none without ratios. Pure. */
export function parkingRows(parking) {
  if (!parking) return [];
  const unknown = gettext("未调查");
  const gap = parking.gap;
  let gapText = unknown;
  if (gap !== null && gap !== undefined) {
    gapText = gap > 0 ? interpolate(gettext("缺 %(n)s 个"), { n: gap }) : interpolate(gettext("富余 %(n)s 个"), { n: -gap });
  }
  return [
    [gettext("现有停车位"), parking.spaces ?? unknown],
    [gettext("停车需求（户数×配比）"), parking.ratio === null ? undefined : interpolate(gettext("%(d)s 个（%(r)s 位/户）"), { d: parking.demand, r: parking.ratio })],
    [gettext("停车缺口"), gapText],
    [gettext("配比来源"), `${parking.version}（${parking.effective_from}）：${parking.source}`],
  ];
}

export class RecordCard {
  /** `$`: the page's getElementById; `analysis(code)`: {run, node} of the life circle
   * shown on the map, or null. */
  constructor(config, $, analysis) {
    this.config = config;
    this.$ = $;
    this.analysis = analysis;
    this.feature = null;
    this.onClose = null;
    $("record-close").addEventListener("click", () => this.onClose?.());
    for (const tab of ["record", "analysis"]) {
      $(`record-tab-${tab}`).addEventListener("click", () => this.tab(tab));
    }
    // arrows move between the two tabs (the WAI-ARIA tabs pattern)
    $("record-tabs").addEventListener("keydown", (e) => {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      const next = this.shown === "record" ? "analysis" : "record";
      this.tab(next);
      $(`record-tab-${next}`).focus();
    });
  }

  /** Show a community (a planner-feature GeoJSON feature), its record tab first. */
  show(feature) {
    const $ = this.$;
    const p = feature.properties;
    this.feature = feature;
    const card = $("record");
    card.hidden = false;
    card.dataset.code = p.code;
    $("record-title").textContent = p.name;
    const badge = el("span", this.config.stages?.[p.stage] ?? p.stage, "stage-badge");
    badge.dataset.stage = p.stage;
    badge.style.background = stageColour(p.stage);
    badge.style.color = inkOn(stageColour(p.stage));
    const body = [badge, rowsTable(recordRows(p, this.config))];
    if (p.public_notes) body.push(el("p", p.public_notes, "notes"));
    $("record-panel-record").replaceChildren(...body);
    this.tab("record");
    card.scrollIntoView({ block: "nearest" });
  }

  /** Show one tab; the analysis is read when its tab is shown (the filter may have
   * changed the run's data since the card opened). */
  tab(name) {
    const $ = this.$;
    this.shown = name;
    for (const t of ["record", "analysis"]) {
      const on = t === name;
      $(`record-tab-${t}`).setAttribute("aria-selected", String(on));
      $(`record-tab-${t}`).tabIndex = on ? 0 : -1;
      $(`record-panel-${t}`).hidden = !on;
    }
    if (name === "analysis") this.fillAnalysis();
    $("record").dataset.tab = name;
  }

  fillAnalysis() {
    const panel = this.$("record-panel-analysis");
    const code = this.feature?.properties.code;
    const found = code ? this.analysis(code) : null;
    if (!found) {
      panel.replaceChildren(el("p", gettext("地图上的生活圈分析不含此小区（尚未分析，或分析范围是其他区县）。"), "hint"));
      return;
    }
    const head = el("p", interpolate(gettext("15分钟生活圈分析 #%(id)s"), { id: found.run }), "hint");
    panel.replaceChildren(head, found.node);
  }

  hide() {
    this.feature = null;
    this.$("record").hidden = true;
  }
}
