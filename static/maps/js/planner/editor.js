// The editable layers of the planner map: draw, open, edit attributes and shape, save
// (version-checked), delete, undo, history. One editor per map; its state is its own
// fields (`tiles`: kind → its vector-tile layer, `groups`: kind → L.FeatureGroup of the
// GeoJSON-drawn kinds, `selection`: the one feature opened from the tiles, `current`:
// the feature being edited). Idle land, vacant housing and amenities are drawn from the
// vector tiles: a click reads the one feature (planner-feature) and edits it as a Leaflet
// layer. Shape edits are followed through Leaflet.draw's `edit` event (layer.editing of
// L.Edit.Poly / L.Edit.CircleMarker), never through fields patched onto Leaflet's layers.
import { getJSON, sendJSON } from "../lib/api.js";
import { addOverlay, el } from "../lib/dom.js";
import { buildForm, kindSpec, readForm, showErrors } from "../lib/forms.js";
import { idleLandStyle } from "../lib/styles.js";
import { urlFor } from "../lib/urls.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { say } from "./ui.js";

const POLYGON_STYLES = {
  planning_area: () => ({ color: "#0d47a1", weight: 2, fillColor: "#42a5f5", fillOpacity: 0.25 }),
  idle_land: idleLandStyle,
};
const POINT_STYLES = {
  amenity: { radius: 4, color: "#00695c", weight: 2, fillColor: "#fff", fillOpacity: 0.9 },
  vacant_housing: { radius: 6, color: "#4a148c", weight: 2, fillColor: "#fff", fillOpacity: 0.9 },
};

/** Leaflet.draw edits simple polygons: a one-part MultiPolygon becomes a Polygon. Pure. */
export function editableGeometry(feature) {
  const g = feature.geometry;
  if (g?.type === "MultiPolygon" && g.coordinates.length === 1) {
    return { ...feature, geometry: { type: "Polygon", coordinates: g.coordinates[0] } };
  }
  return feature;
}

/** Mark a layer's element with its kind and code (data-kind, data-code) once on the map. */
function tag(layer, kind, code) {
  const mark = () => {
    const node = layer.getElement?.();
    if (!node) return;
    node.dataset.kind = kind;
    if (code) node.dataset.code = code;
  };
  layer.on("add", mark);
  if (layer.getElement?.()) mark();
}

export class Editor {
  constructor({ map, control, config, $ }, tiles) {
    this.map = map;
    this.control = control;
    this.config = config;
    this.$ = $;
    this.tiles = tiles; // kind → tile layer (lib/vectortiles.js)
    this.groups = {};
    this.selection = L.featureGroup().addTo(map);
    this.current = null; // {kind, spec, layer, feature, shapeEdited, stop}
    this.onOpen = null; // (kind, feature): a feature opened (planner.js: the selection)
  }

  featureLayer(kind, raw) {
    const spec = kindSpec(this.config, kind);
    const feature = spec.point ? raw : editableGeometry(raw);
    let layer;
    if (spec.point) {
      const [lon, lat] = feature.geometry.coordinates;
      layer = L.circleMarker([lat, lon], POINT_STYLES[kind]);
    } else {
      const style = POLYGON_STYLES[kind](feature);
      layer = L.geoJSON(feature, { style: () => style }).getLayers()[0];
    }
    layer.feature = feature;
    tag(layer, kind, feature.id);
    layer.on("click", () => {
      if (this.current?.layer !== layer) this.open(kind, layer);
    });
    return layer;
  }

  /** (Re)load a kind's features: its tiles again, or its GeoJSON. */
  async load(kind) {
    if (this.tiled(kind)) {
      this.tiles[kind]?.refresh();
      return;
    }
    let group = this.groups[kind];
    if (!group) {
      group = L.featureGroup().addTo(this.map);
      this.groups[kind] = group;
      addOverlay(this.control, group, interpolate(gettext("%(kind)s（可编辑）"), { kind: kindSpec(this.config, kind).label }));
    }
    group.clearLayers();
    const data = await getJSON(urlFor(this.config.urls, "planner-features", { kind }));
    for (const f of data.features) group.addLayer(this.featureLayer(kind, f));
    document.body.dataset[`loaded_${kind}`] = String(data.features.length);
  }

  /** The kinds not drawn from tiles (planning areas) as editable GeoJSON layers. */
  async loadAll() {
    await Promise.all(this.config.kinds.filter((k) => !this.tiled(k.kind)).map((k) => this.load(k.kind)));
  }

  /** Whether a kind is drawn from the vector tiles (config.layers). */
  tiled(kind) {
    return this.config.layers.some((l) => l.editable === kind && l.tile);
  }

  /** Open a feature as saved: the drawn layer of a GeoJSON kind, else a layer of its own. */
  show(kind, feature) {
    const drawn = this.groups[kind]?.getLayers().find((l) => l.feature.id === feature.id);
    if (drawn) {
      this.open(kind, drawn);
      return;
    }
    const layer = this.featureLayer(kind, feature);
    this.open(kind, layer);
    this.selection.addLayer(layer);
  }

  /** Read one feature by id and open it (a click on the tiles, the "planner:open" event). */
  async openByCode(kind, code) {
    const feature = await getJSON(this.url("planner-feature", kind, code));
    this.show(kind, feature);
  }

  url(name, kind, code) {
    return urlFor(this.config.urls, name, { kind, code });
  }

  message(text, cls = "") {
    say(this.$("editor-messages"), text, cls);
  }

  async showHistory(kind, code) {
    const list = this.$("history");
    list.replaceChildren();
    try {
      const rows = await getJSON(this.url("planner-feature-history", kind, code));
      for (const r of rows) {
        list.appendChild(el("li", `v${r.version} · ${r.what} · ${r.who ?? "—"} · ${r.when.slice(0, 19).replace("T", " ")} ${r.reason}`));
      }
    } catch {
      /* a new feature has no history yet */
    }
  }

  open(kind, layer) {
    this.close(false);
    const spec = kindSpec(this.config, kind);
    this.current = { kind, spec, layer, feature: layer.feature, shapeEdited: false, stop: null };
    const props = layer.feature?.properties ?? {};
    const $ = this.$;
    $("editor").hidden = false;
    $("editor").dataset.kind = kind;
    $("editor").dataset.code = props.code ?? "";
    $("editor-title").textContent = props.code
      ? interpolate(gettext("%(kind)s %(name)s（v%(version)s）"), { kind: spec.label, name: props.name || props.code, version: props.version })
      : interpolate(gettext("新建%(kind)s"), { kind: spec.label });
    buildForm($("feature-form"), spec, props, this.config.categories);
    this.message("");
    $("btn-delete").hidden = !props.code;
    $("btn-undo").hidden = !props.code;
    if (props.code) this.showHistory(kind, props.code);
    else $("history").replaceChildren();
    this.onOpen?.(kind, layer.feature ?? null);
  }

  close(removeNew = true) {
    const cur = this.current;
    if (!cur) return;
    cur.stop?.();
    if (cur.layer.editing?.enabled()) cur.layer.editing.disable();
    if (removeNew && !cur.feature?.properties?.code) this.map.removeLayer(cur.layer);
    this.selection.clearLayers();
    this.current = null;
    this.$("editor").hidden = true;
  }

  /** Shape editing with Leaflet.draw: vertices of a polygon, the move handle of a point. */
  editShape() {
    const cur = this.current;
    if (!cur) return;
    const { layer } = cur;
    if (layer.feature?.geometry?.type === "MultiPolygon") {
      this.message(gettext("多部件图形请在管理后台编辑。"), "warn");
      return;
    }
    if (!layer.editing) return;
    layer.editing.enable();
    const edited = () => {
      cur.shapeEdited = true;
      document.body.dataset.shapeEdited = cur.feature?.id ?? "new";
    };
    layer.on("edit", edited);
    cur.stop = () => layer.off("edit", edited);
    this.message(cur.spec.point ? gettext("拖动标记移动位置，然后点击“保存”。") : gettext("拖动顶点修改形状，然后点击“保存”。"));
  }

  reportWarnings(body) {
    const warnings = body?.warnings ?? [];
    this.message(warnings.length ? `${gettext("已保存。")}${warnings.join(" ")}` : gettext("已保存。"), warnings.length ? "warn" : "ok");
  }

  async save() {
    const cur = this.current;
    if (!cur) return;
    const { kind, spec, layer } = cur;
    const form = this.$("feature-form");
    const properties = readForm(form, spec);
    const code = layer.feature?.properties?.code;
    const geometry = layer.toGeoJSON().geometry;
    const res = code
      ? await sendJSON("PATCH", this.url("planner-feature", kind, code), {
          version: layer.feature.properties.version,
          properties,
          geometry: cur.shapeEdited ? geometry : undefined,
        })
      : await sendJSON("POST", urlFor(this.config.urls, "planner-features", { kind }), { properties, geometry });
    if (res.status === 200 || res.status === 201) {
      const feature = res.body.feature;
      if (!code) this.map.removeLayer(layer);
      await this.load(kind);
      this.show(kind, feature);
      this.reportWarnings(res.body);
      document.body.dataset.lastSaved = feature.id;
    } else if (res.status === 409) {
      this.message(`${res.body.detail}`, "error");
      document.body.dataset.conflict = "1";
    } else if (res.status === 400) {
      const rest = showErrors(form, res.body);
      this.message(rest.length ? rest.join("；") : gettext("请更正标出的字段。"), "error");
    } else {
      this.message(res.body?.detail ?? interpolate(gettext("保存失败（%(status)s）"), { status: res.status }), "error");
    }
  }

  async remove() {
    const cur = this.current;
    if (!cur?.feature?.properties?.code) return;
    const { kind, feature } = cur;
    if (!window.confirm(interpolate(gettext("删除 %(name)s？（可撤销）"), { name: feature.properties.name || feature.id }))) return;
    const url = `${this.url("planner-feature", kind, feature.id)}?version=${feature.properties.version}`;
    const res = await sendJSON("DELETE", url);
    if (res.status === 204) {
      this.close();
      await this.load(kind);
    } else {
      this.message(res.body?.detail ?? interpolate(gettext("删除失败（%(status)s）"), { status: res.status }), "error");
    }
  }

  async undo() {
    const cur = this.current;
    if (!cur?.feature?.properties?.code) return;
    const { kind, feature } = cur;
    const res = await sendJSON("POST", this.url("planner-feature-undo", kind, feature.id));
    if (res.status === 200) {
      await this.load(kind);
      this.show(kind, res.body.feature);
      this.message(gettext("已撤销上次修改。"), "ok");
    } else {
      this.message(res.body?.history ?? res.body?.detail ?? interpolate(gettext("撤销失败（%(status)s）"), { status: res.status }), "error");
    }
  }

  /** The draw control: a new polygon or point goes to the kind chosen in `select`. */
  setupDraw(select) {
    const draw = new L.Control.Draw({
      position: "topleft",
      draw: { polyline: false, circle: false, circlemarker: false, rectangle: false, polygon: { allowIntersection: false, showArea: true }, marker: true },
      edit: false,
    });
    this.map.addControl(draw);
    // vertices placed so far (the browser tests wait on it between clicks)
    this.map.on(L.Draw.Event.DRAWSTART, () => {
      document.body.dataset.drawVertices = "0";
    });
    this.map.on(L.Draw.Event.DRAWVERTEX, (e) => {
      document.body.dataset.drawVertices = String(e.layers.getLayers().length);
    });
    this.map.on(L.Draw.Event.CREATED, (e) => {
      const kind = select.value;
      const spec = kindSpec(this.config, kind);
      const isPoint = e.layerType === "marker";
      if (isPoint !== spec.point) {
        window.alert(interpolate(isPoint ? gettext("%(kind)s需要绘制多边形。") : gettext("%(kind)s需要放置点位。"), { kind: spec.label }));
        return;
      }
      const layer = e.layer;
      layer.addTo(this.map);
      layer.feature = null;
      this.open(kind, layer);
    });
  }

  bindButtons() {
    const $ = this.$;
    $("btn-save").addEventListener("click", () => this.save());
    $("btn-delete").addEventListener("click", () => this.remove());
    $("btn-undo").addEventListener("click", () => this.undo());
    $("btn-shape").addEventListener("click", () => this.editShape());
    $("btn-cancel").addEventListener("click", () => this.close());
    // open a feature by id: {detail: {kind, code}} (other pages, tests)
    document.addEventListener("planner:open", (e) => this.openByCode(e.detail.kind, e.detail.code));
  }
}
