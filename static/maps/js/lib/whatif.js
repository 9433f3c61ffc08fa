// The what-if of several hypothetical sites, as figures: the request body for all the
// sites together, the summary per category and the communities that gain. Pure (node --test).

/** The what-if request of every site at once: {facilities: [{category, lon, lat, capacity?}]}. */
export function whatIfBody(sites) {
  return {
    facilities: sites.map((s) => {
      const f = { category: s.category, lon: s.lon, lat: s.lat };
      if (s.capacity !== null && s.capacity !== undefined && s.capacity !== "") f.capacity = Number(s.capacity);
      return f;
    }),
  };
}

/** One row per category of the sites (in the order first placed): how many sites, the
 * communities newly covered, the residents newly served and, where the category has a
 * capacity standard, the shortfall reduced (null: capacity does not apply) and its unit. */
export function summaryRows(result, sites) {
  const order = [...new Set(sites.map((s) => s.category))];
  for (const c of result.categories ?? []) if (!order.includes(c)) order.push(c);
  const cap = result.capacity;
  return order.map((category) => ({
    category,
    sites: sites.filter((s) => s.category === category).length,
    communities: (result.changed ?? []).filter((r) => r.newly_covered.includes(category)).length,
    residents: result.residents_newly_covered?.[category] ?? 0,
    shortfall: cap && cap.categories.includes(category) ? (cap.shortfall_reduced[category] ?? 0) : null,
    unit: cap?.supply_added?.find((a) => a.category === category)?.unit ?? null,
  }));
}

/** The totals: communities and residents newly covered (each community once), the mean
 * score before and after, and the shortfall reduced when one capacity category applies
 * (null otherwise: places, beds and m² do not add up). */
export function summaryTotals(result) {
  const cap = result.capacity;
  const shortfall = cap && cap.categories.length === 1 ? (cap.shortfall_reduced[cap.categories[0]] ?? 0) : null;
  return {
    communities: result.communities_newly_covered,
    residents: (result.changed ?? []).reduce((a, r) => a + r.residents, 0),
    before: result.mean_score_before,
    after: result.mean_score_after,
    shortfall: shortfall === null ? null : Math.round(shortfall * 100) / 100,
  };
}

/** The communities that gain: newly within reach of a category, or (capacity) with a
 * smaller shortfall; each once, most residents first, with what it gains. */
export function gainedCommunities(result) {
  const byCode = new Map();
  for (const r of result.changed ?? []) {
    byCode.set(r.code, { code: r.code, name: r.name, residents: r.residents, covered: [...r.newly_covered], shortfall: [] });
  }
  for (const r of result.capacity?.changed ?? []) {
    const cats = Object.keys(r.shortfall_before).filter((c) => (r.shortfall_before[c] ?? 0) - (r.shortfall_after[c] ?? 0) > 1e-9);
    const row = byCode.get(r.code) ?? { code: r.code, name: r.name, residents: r.residents, covered: [], shortfall: [] };
    row.shortfall = cats;
    byCode.set(r.code, row);
  }
  return [...byCode.values()].sort((a, b) => b.residents - a.residents || a.code.localeCompare(b.code));
}
