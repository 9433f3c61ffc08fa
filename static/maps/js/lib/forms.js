// Attribute forms of the editable layers, built from the field specs the server renders
// (config.kinds: planner/mapconfig.py, from the models' fields and choices); DOM nodes
// only, no HTML strings.
import { el, fillSelect } from "./dom.js";

/** The spec of an editable kind ({kind, label, point, fields}) from the page's config. */
export function kindSpec(config, kind) {
  const spec = (config.kinds ?? []).find((k) => k.kind === kind);
  if (!spec) throw new Error(`unknown editable kind: ${kind}`);
  return spec;
}

/** Form values of a spec's fields as properties (empty numbers → null). Pure. */
export function propertiesFrom(spec, values) {
  const out = {};
  for (const f of spec.fields) {
    if (!(f.name in values)) continue;
    const v = values[f.name];
    out[f.name] = f.type === "number" ? (v === "" ? null : Number(v)) : v;
  }
  return out;
}

function input(field, categories) {
  if (field.type === "select") {
    const choices = field.choices === "categories" ? categories : field.choices;
    return fillSelect(document.createElement("select"), Object.entries(choices ?? {}));
  }
  if (field.type === "textarea") return document.createElement("textarea");
  const node = document.createElement("input");
  node.type = field.type;
  if (field.type === "number") node.step = "any";
  return node;
}

/** Build the form's inputs for a kind's spec, filled from properties. */
export function buildForm(form, spec, props, categories) {
  form.replaceChildren();
  for (const field of spec.fields) {
    const row = el("label", null, "field");
    row.append(document.createTextNode(field.label));
    const node = input(field, categories);
    node.name = field.name;
    if (field.required) node.required = true;
    const value = props?.[field.name];
    if (value !== undefined && value !== null) node.value = String(value);
    const error = el("span", null, "field-error");
    error.dataset.for = field.name;
    row.append(node, error);
    form.appendChild(row);
  }
}

/** The form's values as properties. */
export function readForm(form, spec) {
  const values = {};
  for (const f of spec.fields) {
    const node = form.elements[f.name];
    if (node) values[f.name] = node.value;
  }
  return propertiesFrom(spec, values);
}

/** The body of an analysis form: checkboxes as booleans, numbers as numbers, empty left out. */
export function formBody(form) {
  const body = {};
  for (const node of form.elements) {
    if (!node.name) continue;
    if (node.type === "checkbox") body[node.name] = node.checked;
    else if (node.type === "number") body[node.name] = node.value === "" ? undefined : Number(node.value);
    else if (node.value !== "") body[node.name] = node.value;
  }
  return body;
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
