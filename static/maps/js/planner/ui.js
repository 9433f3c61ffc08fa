// Small helpers of the planner page's panel.

/** Show a status message (class: "", "ok", "warn", "error"). */
export function say(node, text, cls = "") {
  node.textContent = text;
  node.className = `messages ${cls}`;
}

/** Download links ("下载：CSV XLSX …") for the formats, each URL from `href(fmt)`. */
export function downloadLinks(node, label, formats, href) {
  node.replaceChildren(document.createTextNode(label));
  for (const fmt of formats) {
    const a = document.createElement("a");
    a.href = href(fmt);
    a.textContent = fmt.toUpperCase();
    node.append(a, document.createTextNode(" "));
  }
}
