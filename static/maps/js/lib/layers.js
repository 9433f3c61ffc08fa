// Layers shared by the home page and the planner workspace: specs, GeoJSON layers, legend.
import { attributeTable } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import {
  IDLE_KIND_COLOURS,
  STAGE_COLOURS,
  TIER_COLOURS,
  communityStyle,
  idleLandStyle,
  legendEntries,
  walkStyle,
} from "./styles.js";

const HOUSING = {
  commodity: gettext("商品房"),
  work_unit: gettext("单位房/房改房"),
  resettlement: gettext("安置房"),
  affordable: gettext("保障房"),
  villa: gettext("别墅"),
  mixed: gettext("混合"),
};

function communityPopup(p, config) {
  return attributeTable(p.name, [
    [gettext("区县"), p.district],
    [gettext("街道"), p.street],
    [gettext("社区"), p.committee],
    [gettext("地址"), p.address],
    [gettext("建成年份"), p.completion_year],
    [gettext("房屋类型"), HOUSING[p.housing_type] ?? p.housing_type],
    [gettext("户数"), p.households],
    [gettext("居民"), p.residents],
    [gettext("改造阶段"), config.stages?.[p.stage] ?? p.stage],
  ]);
}

export const LAYERS = [
  {
    key: "districts",
    label: gettext("区县边界"),
    on: true,
    options: {
      style: () => ({ color: "#263238", weight: 3, fill: false }),
      popup: (p) => attributeTable(p.name, [[gettext("中心城区"), p.is_central]]),
    },
  },
  {
    key: "streets",
    label: gettext("街道边界"),
    on: true,
    options: {
      style: () => ({ color: "#546e7a", weight: 1.5, dashArray: "6 4", fill: false }),
      popup: (p) => attributeTable(p.name, [[gettext("区县"), p.district]]),
    },
  },
  {
    key: "walk_network",
    label: gettext("步行网络"),
    on: true,
    options: { style: walkStyle, popup: (p) => attributeTable(p.name || gettext("路段"), [[gettext("长度(m)"), Math.round(p.length_m)]]) },
  },
  {
    key: "communities",
    label: gettext("老旧小区（按改造阶段）"),
    on: true,
    options: { style: communityStyle, popup: communityPopup },
  },
  {
    key: "idle_land",
    label: gettext("闲置用地"),
    on: true,
    options: {
      style: idleLandStyle,
      popup: (p) =>
        attributeTable(p.name || gettext("闲置用地"), [
          [gettext("类型"), p.kind],
          [gettext("面积(m²)"), Math.round(p.area_m2)],
          [gettext("权属"), p.owner],
          [gettext("业主意见"), p.consent],
          [gettext("状态"), p.status],
        ]),
    },
  },
  {
    key: "vacant_housing",
    label: gettext("闲置公房"),
    on: true,
    options: {
      point: { radius: 5, color: "#4a148c", fillColor: "#ce93d8", fillOpacity: 0.9, weight: 1 },
      popup: (p) =>
        attributeTable(p.name || gettext("闲置公房"), [
          [gettext("地址"), p.address],
          [gettext("建筑面积(m²)"), p.floor_area_m2],
          [gettext("产权"), p.owner_kind],
          [gettext("状态"), p.status],
        ]),
    },
  },
  {
    key: "amenities",
    label: gettext("配套设施"),
    on: false,
    options: {
      point: (p) => ({ radius: 3, weight: 0, fillColor: TIER_COLOURS[p.tier] ?? "#000", fillOpacity: 0.85 }),
      popup: (p) => attributeTable(p.name || p.category_name, [[gettext("类别"), p.category_name], [gettext("生活圈"), interpolate(gettext("%(minutes)s 分钟"), { minutes: p.tier })]]),
    },
  },
];

export function buildLayer(data, options, config = {}) {
  return L.geoJSON(data, {
    style: options.style,
    pointToLayer: (feature, latlng) => {
      const o = typeof options.point === "function" ? options.point(feature.properties) : options.point;
      return L.circleMarker(latlng, o ?? { radius: 4 });
    },
    onEachFeature: (feature, layer) => {
      if (options.popup) layer.bindPopup(() => options.popup(feature.properties, config));
    },
  });
}

export function addLegend(map, config) {
  const legend = L.control({ position: "bottomright" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    const section = (title, entries, cls) => {
      const h = document.createElement("h4");
      h.textContent = title;
      div.appendChild(h);
      for (const [label, colour] of entries) {
        const row = document.createElement("div");
        const sw = document.createElement("i");
        sw.className = cls;
        sw.style.background = colour;
        row.append(sw, document.createTextNode(label));
        div.appendChild(row);
      }
    };
    section(gettext("改造阶段"), legendEntries(STAGE_COLOURS, config.stages), "sw");
    section(gettext("闲置用地"), legendEntries(IDLE_KIND_COLOURS, { vacant: gettext("空地"), wasteland: gettext("荒地"), idle: gettext("闲置地"), corner: gettext("边角地"), demolition: gettext("拆违腾退"), green: gettext("公共绿地") }), "sw");
    section(gettext("设施（生活圈）"), legendEntries(TIER_COLOURS, { 5: gettext("5 分钟"), 10: gettext("10 分钟"), 15: gettext("15 分钟") }), "dot");
    return div;
  };
  legend.addTo(map);
}

