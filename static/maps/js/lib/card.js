// Public community card (side panel), built from DOM nodes: text is never parsed as HTML.
import { el, rowsTable } from "./dom.js";
import { stageColour } from "./themes.js";
import { gettext, interpolate } from "./i18n.js";
import { inkOn } from "./contrast.js";

function coverageText(snap) {
  if (!snap) return "—";
  const missing = snap.missing.length ? interpolate(gettext("缺：%(missing)s"), { missing: snap.missing.join(gettext("、")) }) : gettext("配套齐全");
  return interpolate(gettext("%(score)s 分（%(date)s）%(missing)s"), { score: snap.score, date: snap.date ?? "", missing });
}

/** The card for one community (the JSON of /api/public/communities/<code>/). */
export function renderCard(card, config, { onClose } = {}) {
  const root = el("div");
  root.dataset.code = card.code;
  const close = el("button", "×", "close");
  close.type = "button";
  close.setAttribute("aria-label", gettext("关闭"));
  if (onClose) close.addEventListener("click", onClose);
  root.appendChild(close);
  root.appendChild(el("h2", card.name, "card-name"));
  const badge = el("span", config.stages[card.stage] ?? card.stage, "stage-badge card-stage");
  badge.dataset.stage = card.stage;
  badge.style.background = stageColour(card.stage);
  badge.style.color = inkOn(stageColour(card.stage)); // 4.5:1 on every stage colour
  root.appendChild(badge);
  root.appendChild(
    rowsTable([
      [gettext("区县"), card.district_name],
      [gettext("街道"), card.street_name],
      [gettext("建成年份"), card.completion_year],
      [gettext("户数"), card.households],
      [gettext("楼栋"), card.buildings],
      [gettext("电梯"), card.lifts],
    ]),
  );
  if (card.public_notes) root.appendChild(el("p", card.public_notes, "notes"));

  root.appendChild(el("h3", gettext("改造进程")));
  const hist = el("ol", null, "history");
  for (const h of card.history) hist.appendChild(el("li", interpolate(gettext("%(date)s　%(stage)s"), { date: h.date, stage: config.stages[h.stage] ?? h.stage })));
  if (!card.history.length) hist.appendChild(el("li", gettext("暂无记录")));
  root.appendChild(hist);

  if (card.works && Object.keys(card.works).length) {
    root.appendChild(el("h3", gettext("改造内容")));
    const rows = Object.entries(card.works).map(([cat, names]) => [config.works[cat] ?? cat, names.join(gettext("、"))]);
    root.appendChild(rowsTable(rows));
  }
  if (card.votes && card.votes.length) {
    root.appendChild(el("h3", gettext("居民表决（汇总）")));
    const rows = card.votes.map((v) => [
      `${v.held_on} ${v.kind === "will" ? gettext("改造意愿") : gettext("改造方案")}`,
      `${v.passed ? gettext("通过") : gettext("未通过")}${v.consent_ratio !== undefined ? interpolate(gettext("，同意率 %(percent)s%"), { percent: Math.round(v.consent_ratio * 100) }) : ""}`,
    ]);
    root.appendChild(rowsTable(rows));
  }

  root.appendChild(el("h3", gettext("15分钟生活圈覆盖（改造前 / 最新）")));
  root.appendChild(
    rowsTable([
      [
        card.coverage.started ? interpolate(gettext("改造前（%(date)s 开工前）"), { date: card.coverage.started }) : gettext("改造前"),
        card.coverage.started ? (card.coverage.before ? coverageText(card.coverage.before) : gettext("开工前没有生活圈分析")) : gettext("尚未开工"),
      ],
      [gettext("最新"), coverageText(card.coverage.after)],
    ]),
  );

  if (card.photos.length) {
    root.appendChild(el("h3", gettext("改造前后照片")));
    const grid = el("div", null, "photos");
    for (const p of card.photos) {
      const fig = el("figure");
      const img = el("img");
      img.src = p.url;
      img.loading = "lazy";
      img.alt = `${p.kind === "before" ? gettext("改造前") : gettext("改造后")} ${p.caption ?? ""}`;
      fig.append(img, el("figcaption", `${p.kind === "before" ? gettext("改造前") : gettext("改造后")} ${p.caption ?? ""}`));
      grid.appendChild(fig);
    }
    root.appendChild(grid);
  }
  return root;
}
