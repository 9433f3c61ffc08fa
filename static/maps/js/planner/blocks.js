// The renovation blocks of the planner panel: the latest (or the just made) bundling run on
// the map and in the table. A table row zooms to and highlights its block and opens its
// card; the card (a click on the map opens it too) lists members and shared gaps by name
// and, for planners, acts on the block through the blocks API: accept, lock / unlock,
// merge with a neighbour, split members off, move a community in. After each action the
// map and the table reload. Downloads use the one path of the tables (blocks-run-export).
// For the browser tests: body data-blocks-run, data-blocks-features, data-block-focused,
// data-block-action ("<action>:<code>" after a successful action); the card's controls
// carry data-action / data-role.
import { getJSON, sendJSON } from "../lib/api.js";
import { blockFacts, blockStyle, withParking } from "../lib/blocks.js";
import { onTheme, themeOf } from "../lib/mapkey.js";
import { paneFor } from "../lib/order.js";
import { addOverlay, el, rowsTable } from "../lib/dom.js";
import { fillTable } from "../lib/tables.js";
import { urlFor } from "../lib/urls.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { downloadLinks, say } from "./ui.js";

// the focused block: a thick yellow outline, its fill that of the theme (none over another)
const HIGHLIGHT = { color: "#ffd600", weight: 5 };

/** The communities of the other blocks of the same group, [code, "name（block）"]. Pure. */
export function movableCommunities(features, block) {
  const out = [];
  for (const f of features) {
    const p = f.properties;
    if (p.code === block.code || p.group_code !== block.group_code) continue;
    (p.member_codes || []).forEach((code, i) => {
      out.push([code, interpolate(gettext("%(name)s（%(block)s）"), { name: p.member_names?.[i] ?? code, block: p.name })]);
    });
  }
  return out;
}

export class BlocksPanel {
  constructor(page) {
    this.page = page;
    this.layer = null;
    this.features = [];
    this.byCode = new Map();
    this.focused = null;
    // the blocks follow the map's theme: filled under the blocks theme, outlines otherwise
    onTheme(page.map, () => {
      if (!this.layer) return;
      this.layer.resetStyle();
      if (this.focused && this.byCode.get(this.focused)) this.highlight(this.focused);
    });
  }

  /** Load run `runId` (default: the latest) onto the map and into the table. */
  async load(runId, { visible } = {}) {
    const { config, map, control, $ } = this.page;
    let run;
    try {
      run = await getJSON(runId ? urlFor(config.urls, "blocks-run", { pk: runId }) : urlFor(config.urls, "blocks-run-latest"));
    } catch {
      return null;
    }
    const data = withParking(await getJSON(urlFor(config.urls, "blocks-run-geojson", { pk: run.id })));
    const wasOn = this.layer ? map.hasLayer(this.layer) : false;
    if (this.layer) {
      control.removeLayer(this.layer);
      this.layer.remove();
    }
    this.run = run;
    this.features = data.features;
    this.byCode = new Map();
    this.focused = null;
    this.layer = L.geoJSON(data, {
      pane: paneFor(map, "blocks"),
      style: (f) => blockStyle(f, themeOf(map)),
      onEachFeature: (f, l) => {
        this.byCode.set(f.properties.code, l);
        l.bindPopup(() => this.card(f.properties));
        l.on("click", () => this.highlight(f.properties.code));
      },
    });
    addOverlay(control, this.layer, interpolate(gettext("连片改造片区（分区 #%(id)s）"), { id: run.id }), "blocks");
    if (visible ?? (wasOn || config.blocks_visible !== false)) this.layer.addTo(map);
    this.fillTable();
    downloadLinks($("blocks-downloads"), gettext("下载："), ["csv", "xlsx", "geojson", "gpkg"], (fmt) =>
      urlFor(config.urls, "blocks-run-export", { pk: run.id, fmt }),
    );
    document.body.dataset.blocksFeatures = String(data.features.length);
    document.body.dataset.blocksRun = String(run.id);
    return this.layer;
  }

  fillTable() {
    const rows = this.features.map((f) => {
      const p = f.properties;
      return {
        code: p.code,
        name: p.name,
        members: p.n_communities,
        households: p.households,
        status: `${p.status === "accepted" ? gettext("已确认") : gettext("建议")}${p.locked ? "🔒" : ""}`,
      };
    });
    fillTable(this.page.$("blocks-table"), rows, ["name", "members", "households", "status"], {
      id: "code",
      onClick: (row) => this.focus(row.code),
    });
  }

  /** Zoom to block `code`, highlight it (map and table row) and open its card. */
  focus(code) {
    const layer = this.byCode.get(code);
    if (!layer) return;
    const { map } = this.page;
    if (!map.hasLayer(this.layer)) this.layer.addTo(map);
    this.highlight(code);
    map.fitBounds(layer.getBounds(), { padding: [40, 40], maxZoom: 17, animate: false });
    layer.openPopup(layer.getBounds().getCenter());
  }

  highlight(code) {
    if (this.focused && this.byCode.get(this.focused)) this.layer.resetStyle(this.byCode.get(this.focused));
    const layer = this.byCode.get(code);
    layer.setStyle(HIGHLIGHT); // over its theme style (the reset above or the layer's)
    layer.bringToFront();
    this.focused = code;
    for (const tr of this.page.$("blocks-table").tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.id === code);
    document.body.dataset.blockFocused = code;
  }

  /** The block's card: its facts and, for planners, the actions. */
  card(p) {
    const { config } = this.page;
    // the card of a popup still fading out goes at once: one card on the page
    for (const old of document.querySelectorAll(".block-card")) old.remove();
    const root = el("div", null, "popup block-card");
    root.dataset.code = p.code;
    root.append(el("h3", p.name), rowsTable(blockFacts(p, config)));
    if (!config.can_run) return root;
    const message = el("div", null, "messages");
    message.setAttribute("role", "status");
    const actions = el("div", null, "block-actions");
    const button = (action, label) => {
      const b = el("button", label);
      b.type = "button";
      b.dataset.action = action;
      return b;
    };
    const row = el("div", null, "buttons");
    if (p.status !== "accepted") {
      const accept = button("accept", gettext("确认片区"));
      accept.onclick = () => this.act(p, "accept", {}, message);
      row.append(accept);
    }
    const lock = button(p.locked ? "unlock" : "lock", p.locked ? gettext("解锁") : gettext("锁定"));
    lock.onclick = () => this.act(p, p.locked ? "unlock" : "lock", {}, message);
    row.append(lock);
    actions.append(row);

    const others = this.features.filter((f) => f.properties.code !== p.code && f.properties.group_code === p.group_code);
    if (others.length) {
      const select = el("select");
      select.dataset.role = "merge-with";
      for (const o of others) {
        const option = el("option", o.properties.name);
        option.value = o.properties.code;
        select.append(option);
      }
      const merge = button("merge", gettext("合并"));
      merge.onclick = () => this.act(p, "merge", { other: select.value }, message);
      actions.append(el("label", gettext("与相邻片区合并")), select, merge);
    }
    if ((p.member_codes || []).length > 1) {
      const box = el("fieldset", null, "split");
      box.append(el("legend", gettext("拆分：勾选要拆出的小区")));
      (p.member_codes || []).forEach((code, i) => {
        const label = el("label");
        const check = el("input");
        check.type = "checkbox";
        check.name = "split";
        check.value = code;
        label.append(check, document.createTextNode(` ${p.member_names?.[i] ?? code}`));
        box.append(label);
      });
      const split = button("split", gettext("拆分所选小区"));
      split.onclick = () => {
        const codes = [...box.querySelectorAll("input[name=split]:checked")].map((c) => c.value);
        if (!codes.length) {
          say(message, gettext("请先勾选要拆出的小区。"), "error");
          return;
        }
        this.act(p, "split", { codes }, message);
      };
      box.append(split);
      actions.append(box);
    }
    const movable = movableCommunities(this.features, p);
    if (movable.length) {
      const select = el("select");
      select.dataset.role = "move-in";
      for (const [code, label] of movable) {
        const option = el("option", label);
        option.value = code;
        select.append(option);
      }
      const move = button("move", gettext("移入本片区"));
      move.onclick = () => this.act(p, "move", { community: select.value }, message);
      actions.append(el("label", gettext("把相邻片区的小区移入")), select, move);
    }
    root.append(actions, message);
    return root;
  }

  async act(p, action, body, message) {
    const { config } = this.page;
    say(message, gettext("正在提交……"));
    const res = await sendJSON("POST", urlFor(config.urls, "blocks-block-action", { code: p.code, action }), body);
    if (res.status !== 200) {
      say(message, res.body?.detail ?? Object.values(res.body ?? {}).flat().join(" ") ?? String(res.status), "error");
      document.body.dataset.blockError = action;
      return;
    }
    await this.load(this.run.id, { visible: true });
    const code = this.byCode.has(res.body.code) ? res.body.code : p.code;
    this.focus(code);
    const done = {
      accept: gettext("片区已确认。"),
      lock: gettext("片区已锁定。"),
      unlock: gettext("片区已解锁。"),
      merge: gettext("片区已合并。"),
      split: gettext("已拆分为新片区。"),
      move: gettext("小区已移入本片区。"),
    }[action];
    const card = document.querySelector(`.block-card[data-code="${CSS.escape(code)}"] .messages`);
    if (card) say(card, done, "ok");
    document.body.dataset.blockAction = `${action}:${res.body.code}`;
  }
}
