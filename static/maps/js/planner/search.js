// The planner's search box: communities and planning areas by name; a hit centres the map.
import { getJSON } from "../lib/api.js";
import { el } from "../lib/dom.js";
import { gettext, interpolate } from "../lib/i18n.js";
import { urlFor } from "../lib/urls.js";

const DEBOUNCE_MS = 250;

export function setupSearch(map, config, input, list) {
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      list.replaceChildren();
      if (!q) return;
      const rows = await getJSON(urlFor(config.urls, "planner-search"), { q });
      for (const r of rows) {
        const b = el("button", interpolate(gettext("%(name)s（%(district)s）"), { name: r.name, district: r.district || r.layer }));
        b.type = "button";
        b.addEventListener("click", () => map.setView([r.lat, r.lon], 17));
        const li = el("li");
        li.appendChild(b);
        list.appendChild(li);
      }
    }, DEBOUNCE_MS);
  });
}
