// Choice labels from the page's config.choices ({"idle_land.kind": {"vacant": "空地"}, …}),
// rendered by the server from the Django models' choices. Pure (node --test).

/** The label of `value` in the choice list `key`, else the value itself. */
export function choiceLabel(config, key, value) {
  return config?.choices?.[key]?.[value] ?? value;
}

/** [value, label] pairs of a choice list (empty when unknown). */
export function choiceEntries(config, key) {
  return Object.entries(config?.choices?.[key] ?? {});
}
