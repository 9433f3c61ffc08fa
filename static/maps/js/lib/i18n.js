// Translations for the ES modules: Django's JavaScript catalog (/jsi18n/, loaded by
// base.html before the modules) provides window.gettext and window.interpolate. Without
// it (node tests, bare pages) the Chinese source strings are returned unchanged.
// The modules call `gettext(...)` / `interpolate(...)` imported from here, so that
// `makemessages -d djangojs` finds the strings.

export const t = (s) => (typeof window !== "undefined" && window.gettext ? window.gettext(s) : s);

export const gettext = t;

/** Fill `%(name)s` placeholders from an object (Django's interpolate(fmt, obj, true)). */
export function interpolate(fmt, obj) {
  return String(fmt).replace(/%\((\w+)\)s/g, (m, key) => (obj && key in obj ? String(obj[key]) : m));
}
