// Layers shared by the home page and the planner workspace: specs, GeoJSON layers, legend.
import { attributeTable } from "./popup.js";
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
  commodity: "商品房",
  work_unit: "单位房/房改房",
  resettlement: "安置房",
  affordable: "保障房",
  villa: "别墅",
  mixed: "混合",
};

function communityPopup(p, config) {
  return attributeTable(p.name, [
    ["区县", p.district],
    ["街道", p.street],
    ["社区", p.committee],
    ["地址", p.address],
    ["建成年份", p.completion_year],
    ["房屋类型", HOUSING[p.housing_type] ?? p.housing_type],
    ["户数", p.households],
    ["居民", p.residents],
    ["改造阶段", config.stages?.[p.stage] ?? p.stage],
  ]);
}

export const LAYERS = [
  {
    key: "districts",
    label: "区县边界",
    on: true,
    options: {
      style: () => ({ color: "#263238", weight: 3, fill: false }),
      popup: (p) => attributeTable(p.name, [["中心城区", p.is_central]]),
    },
  },
  {
    key: "streets",
    label: "街道边界",
    on: true,
    options: {
      style: () => ({ color: "#546e7a", weight: 1.5, dashArray: "6 4", fill: false }),
      popup: (p) => attributeTable(p.name, [["区县", p.district]]),
    },
  },
  {
    key: "walk_network",
    label: "步行网络",
    on: true,
    options: { style: walkStyle, popup: (p) => attributeTable(p.name || "路段", [["长度(m)", Math.round(p.length_m)]]) },
  },
  {
    key: "communities",
    label: "老旧小区（按改造阶段）",
    on: true,
    options: { style: communityStyle, popup: communityPopup },
  },
  {
    key: "idle_land",
    label: "闲置用地",
    on: true,
    options: {
      style: idleLandStyle,
      popup: (p) =>
        attributeTable(p.name || "闲置用地", [
          ["类型", p.kind],
          ["面积(m²)", Math.round(p.area_m2)],
          ["权属", p.owner],
          ["业主意见", p.consent],
          ["状态", p.status],
        ]),
    },
  },
  {
    key: "vacant_housing",
    label: "闲置公房",
    on: true,
    options: {
      point: { radius: 5, color: "#4a148c", fillColor: "#ce93d8", fillOpacity: 0.9, weight: 1 },
      popup: (p) =>
        attributeTable(p.name || "闲置公房", [
          ["地址", p.address],
          ["建筑面积(m²)", p.floor_area_m2],
          ["产权", p.owner_kind],
          ["状态", p.status],
        ]),
    },
  },
  {
    key: "amenities",
    label: "配套设施",
    on: false,
    options: {
      point: (p) => ({ radius: 3, weight: 0, fillColor: TIER_COLOURS[p.tier] ?? "#000", fillOpacity: 0.85 }),
      popup: (p) => attributeTable(p.name || p.category_name, [["类别", p.category_name], ["生活圈", `${p.tier} 分钟`]]),
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
    section("改造阶段", legendEntries(STAGE_COLOURS, config.stages), "sw");
    section("闲置用地", legendEntries(IDLE_KIND_COLOURS, { vacant: "空地", wasteland: "荒地", idle: "闲置地", corner: "边角地", demolition: "拆违腾退", green: "公共绿地" }), "sw");
    section("设施（生活圈）", legendEntries(TIER_COLOURS, { 5: "5 分钟", 10: "10 分钟", 15: "15 分钟" }), "dot");
    return div;
  };
  legend.addTo(map);
}

