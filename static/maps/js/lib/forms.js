// Attribute forms for the editable layers: field specs and DOM builders (no HTML strings).
import { gettext } from "./i18n.js";

export const FIELDS = {
  planning_area: [
    ["name", gettext("名称"), "text", { required: true }],
    ["kind", gettext("类型"), "select", { choices: { study_area: gettext("研究范围"), block: gettext("片区"), other: gettext("其他") } }],
    ["notes", gettext("说明"), "textarea"],
  ],
  idle_land: [
    ["name", gettext("名称"), "text"],
    ["kind", gettext("类型"), "select", { choices: { vacant: gettext("空地"), wasteland: gettext("荒地"), idle: gettext("闲置地"), corner: gettext("边角地"), demolition: gettext("拆违腾退用地"), green: gettext("公共绿地") } }],
    ["owner", gettext("权属单位"), "text"],
    ["tenure", gettext("土地性质"), "select", { choices: { state: gettext("国有土地"), collective: gettext("集体土地") } }],
    ["consent", gettext("业主意见"), "select", { choices: { unknown: gettext("未征询"), asked: gettext("征询中"), granted: gettext("已同意"), refused: gettext("不同意") } }],
    ["status", gettext("状态"), "select", { choices: { available: gettext("可利用"), reserved: gettext("已预留"), used: gettext("已使用") } }],
  ],
  vacant_housing: [
    ["name", gettext("名称"), "text"],
    ["address", gettext("地址"), "text"],
    ["floor_area_m2", gettext("建筑面积（m²）"), "number", { required: true }],
    ["floors", gettext("层数"), "number"],
    ["owner_kind", gettext("产权类型"), "select", { choices: { public: gettext("公房"), commercial: gettext("商业用房"), work_unit: gettext("单位用房") } }],
    ["status", gettext("状态"), "select", { choices: { available: gettext("可利用"), reserved: gettext("已预留"), used: gettext("已使用") } }],
  ],
  amenity: [
    ["name", gettext("名称"), "text"],
    ["category", gettext("类别"), "select", { choices: "categories" }],
    ["capacity", gettext("服务能力"), "number"],
    ["floor_area_m2", gettext("建筑面积（m²）"), "number"],
  ],
};

export const KIND_LABELS = {
  planning_area: gettext("规划范围"),
  idle_land: gettext("闲置用地"),
  vacant_housing: gettext("闲置公房"),
  amenity: gettext("配套设施"),
};

export const POINT_KINDS = new Set(["vacant_housing", "amenity"]);

/** Build the form's inputs for a kind, filled from properties. */
export function buildForm(form, kind, props, categories) {
  form.replaceChildren();
  for (const [name, label, type, opts = {}] of FIELDS[kind]) {
    const row = document.createElement("label");
    row.className = "field";
    row.append(document.createTextNode(label));
    let input;
    if (type === "select") {
      input = document.createElement("select");
      const choices = opts.choices === "categories" ? categories : opts.choices;
      for (const [value, text] of Object.entries(choices)) {
        const o = document.createElement("option");
        o.value = value;
        o.textContent = text;
        input.appendChild(o);
      }
    } else if (type === "textarea") {
      input = document.createElement("textarea");
    } else {
      input = document.createElement("input");
      input.type = type;
      if (type === "number") input.step = "any";
    }
    input.name = name;
    if (opts.required) input.required = true;
    const value = props?.[name];
    if (value !== undefined && value !== null) input.value = String(value);
    const error = document.createElement("span");
    error.className = "field-error";
    error.dataset.for = name;
    row.append(input, error);
    form.appendChild(row);
  }
}

/** The form's values as properties (empty numbers → null). */
export function readForm(form, kind) {
  const out = {};
  for (const [name, , type] of FIELDS[kind]) {
    const el = form.elements[name];
    if (!el) continue;
    if (type === "number") out[name] = el.value === "" ? null : Number(el.value);
    else out[name] = el.value;
  }
  return out;
}

/** Show field-level errors ({field: [messages]}) beside their inputs; others returned. */
export function showErrors(form, errors) {
  for (const span of form.querySelectorAll(".field-error")) span.textContent = "";
  const rest = [];
  for (const [field, messages] of Object.entries(errors || {})) {
    const text = Array.isArray(messages) ? messages.join(" ") : String(messages);
    const span = form.querySelector(`.field-error[data-for="${CSS.escape(field)}"]`);
    if (span) span.textContent = text;
    else rest.push(field === "detail" || field === "__all__" ? text : `${field}: ${text}`);
  }
  return rest;
}
