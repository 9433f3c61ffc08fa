// URLs from the reverse map the server renders into the page (config.urls, built by
// planner/mapconfig.py from the URL patterns): a URL name and its arguments, e.g.
// urlFor(config.urls, "lifecircle-export", { pk: 7, fmt: "csv" }). Pure (node --test).

function fill(urls, name, args, keep) {
  const template = urls?.[name];
  if (typeof template !== "string") throw new Error(`unknown URL name: ${name}`);
  return template.replace(/\{(\w+)\}/g, (m, key) => {
    if (keep.includes(key)) return m;
    if (args[key] === undefined || args[key] === null) throw new Error(`URL ${name} needs ${key}`);
    return encodeURIComponent(String(args[key]));
  });
}

export function urlFor(urls, name, args = {}) {
  return fill(urls, name, args, []);
}

/** A tile URL: the arguments filled, {z}/{x}/{y} left for the tile renderer. */
export function tileUrlFor(urls, name, args = {}) {
  return fill(urls, name, args, ["z", "x", "y"]);
}

/** A tile source template: as tileUrlFor, with {layer} also left (the tile stack joins
 * the keys of the layers it draws from one URL). */
export function tileSourceFor(urls, name, args = {}) {
  return fill(urls, name, args, ["z", "x", "y", "layer"]);
}
