// Public community card (side panel), built from DOM nodes: text is never parsed as HTML.
import { stageColour } from "./styles.js";

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function rowsTable(rows) {
  const table = el("table");
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    const tr = el("tr");
    tr.append(el("th", label), el("td", value));
    table.appendChild(tr);
  }
  return table;
}

function coverageText(snap) {
  if (!snap) return "—";
  const missing = snap.missing.length ? `缺：${snap.missing.join("、")}` : "配套齐全";
  return `${snap.score} 分（${snap.date ?? ""}）${missing}`;
}

/** The card for one community (the JSON of /api/public/communities/<code>/). */
export function renderCard(card, config, { onClose } = {}) {
  const root = el("div");
  root.dataset.code = card.code;
  const close = el("button", "×", "close");
  close.type = "button";
  close.setAttribute("aria-label", "关闭");
  if (onClose) close.addEventListener("click", onClose);
  root.appendChild(close);
  root.appendChild(el("h2", card.name, "card-name"));
  const badge = el("span", config.stages[card.stage] ?? card.stage, "stage-badge card-stage");
  badge.dataset.stage = card.stage;
  badge.style.background = stageColour(card.stage);
  root.appendChild(badge);
  root.appendChild(
    rowsTable([
      ["区县", card.district_name],
      ["街道", card.street_name],
      ["建成年份", card.completion_year],
      ["户数", card.households],
      ["楼栋", card.buildings],
      ["电梯", card.lifts],
    ]),
  );
  if (card.public_notes) root.appendChild(el("p", card.public_notes, "notes"));

  root.appendChild(el("h3", "改造进程"));
  const hist = el("ol", null, "history");
  for (const h of card.history) hist.appendChild(el("li", `${h.date}　${config.stages[h.stage] ?? h.stage}`));
  if (!card.history.length) hist.appendChild(el("li", "暂无记录"));
  root.appendChild(hist);

  if (card.works && Object.keys(card.works).length) {
    root.appendChild(el("h3", "改造内容"));
    const rows = Object.entries(card.works).map(([cat, names]) => [config.works[cat] ?? cat, names.join("、")]);
    root.appendChild(rowsTable(rows));
  }
  if (card.votes && card.votes.length) {
    root.appendChild(el("h3", "居民表决（汇总）"));
    const rows = card.votes.map((v) => [
      `${v.held_on} ${v.kind === "will" ? "改造意愿" : "改造方案"}`,
      `${v.passed ? "通过" : "未通过"}${v.consent_ratio !== undefined ? `，同意率 ${Math.round(v.consent_ratio * 100)}%` : ""}`,
    ]);
    root.appendChild(rowsTable(rows));
  }

  root.appendChild(el("h3", "15分钟生活圈覆盖（改造前 / 最新）"));
  root.appendChild(
    rowsTable([
      ["改造前", coverageText(card.coverage.before)],
      ["最新", coverageText(card.coverage.after)],
    ]),
  );

  if (card.photos.length) {
    root.appendChild(el("h3", "改造前后照片"));
    const grid = el("div", null, "photos");
    for (const p of card.photos) {
      const fig = el("figure");
      const img = el("img");
      img.src = p.url;
      img.loading = "lazy";
      img.alt = `${p.kind === "before" ? "改造前" : "改造后"} ${p.caption ?? ""}`;
      fig.append(img, el("figcaption", `${p.kind === "before" ? "改造前" : "改造后"} ${p.caption ?? ""}`));
      grid.appendChild(fig);
    }
    root.appendChild(grid);
  }
  return root;
}
