// The pages' maps without an inline script (Content-Security-Policy): {% page_map %} puts
// django-leaflet's options in a JSON element beside the container, and django-leaflet's
// own L.Map.djangoMap makes the map here and fires "map:init" for the page's module.
for (const container of document.querySelectorAll("[data-leaflet-options]")) {
  const { djoptions, loadevents } = JSON.parse(document.getElementById(container.dataset.leafletOptions).textContent);
  const create = () => L.Map.djangoMap(container.id, { djoptions, globals: false, callback: null });
  // as django-leaflet: on the configured window events (LEAFLET_CONFIG LOADEVENT, "load"),
  // so after every module of the page has added its "map:init" listener
  if (!loadevents.length || document.readyState === "complete") create();
  else for (const name of loadevents) window.addEventListener(name, create, { once: true });
}
