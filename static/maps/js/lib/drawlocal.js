// Leaflet's and Leaflet.draw's words in the page's language: their own strings are
// English only, so every one of them is given here through the JavaScript catalog
// (Chinese source strings; English in djangojs.po): L.drawLocal (pure over the object
// it fills) and the titles of Leaflet's zoom and layers controls.
import { gettext } from "./i18n.js";

/** Every string of L.drawLocal, in the page's language, in its nesting. */
export function drawStrings() {
  return {
    draw: {
      toolbar: {
        actions: { title: gettext("取消绘制"), text: gettext("取消") },
        finish: { title: gettext("完成绘制"), text: gettext("完成") },
        undo: { title: gettext("删除最后绘制的点"), text: gettext("删除最后一点") },
        buttons: {
          polyline: gettext("绘制折线"),
          polygon: gettext("绘制多边形"),
          rectangle: gettext("绘制矩形"),
          circle: gettext("绘制圆"),
          marker: gettext("放置点位"),
          circlemarker: gettext("放置圆点"),
        },
      },
      handlers: {
        circle: { tooltip: { start: gettext("按住并拖动以绘制圆。") }, radius: gettext("半径") },
        circlemarker: { tooltip: { start: gettext("点击地图放置圆点。") } },
        marker: { tooltip: { start: gettext("点击地图放置点位。") } },
        polygon: {
          tooltip: {
            start: gettext("点击开始绘制图形。"),
            cont: gettext("点击继续绘制图形。"),
            end: gettext("点击第一个点闭合图形。"),
          },
        },
        polyline: {
          error: gettext("<strong>错误：</strong>图形的边不能相交！"),
          tooltip: {
            start: gettext("点击开始绘制线。"),
            cont: gettext("点击继续绘制线。"),
            end: gettext("点击最后一个点结束绘制。"),
          },
        },
        rectangle: { tooltip: { start: gettext("按住并拖动以绘制矩形。") } },
        simpleshape: { tooltip: { end: gettext("松开鼠标完成绘制。") } },
      },
    },
    edit: {
      toolbar: {
        actions: {
          save: { title: gettext("保存修改"), text: gettext("保存") },
          cancel: { title: gettext("取消编辑，放弃全部修改"), text: gettext("取消") },
          clearAll: { title: gettext("清除全部图形"), text: gettext("全部清除") },
        },
        buttons: {
          edit: gettext("编辑图形"),
          editDisabled: gettext("没有可编辑的图形"),
          remove: gettext("删除图形"),
          removeDisabled: gettext("没有可删除的图形"),
        },
      },
      handlers: {
        edit: { tooltip: { text: gettext("拖动控制点或标记以编辑要素。"), subtext: gettext("点击取消可撤销修改。") } },
        remove: { tooltip: { text: gettext("点击要素将其删除。") } },
      },
    },
  };
}

/** Write ``strings`` into ``target`` (L.drawLocal) key by key, keeping what it lacks. */
export function fillStrings(target, strings = drawStrings()) {
  for (const [key, value] of Object.entries(strings)) {
    if (value && typeof value === "object") {
      if (!target[key] || typeof target[key] !== "object") target[key] = {};
      fillStrings(target[key], value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

/** The titles of a map's zoom and layers controls in the page's language (Leaflet
 * writes "Zoom in", "Zoom out", "Layers"); the pages call it once their controls are on. */
export function localiseControls(map) {
  const container = map.getContainer();
  const titles = [
    [".leaflet-control-zoom-in", gettext("放大"), true],
    [".leaflet-control-zoom-out", gettext("缩小"), true],
    [".leaflet-control-layers-toggle", gettext("图层"), false],
  ];
  for (const [selector, text, label] of titles) {
    for (const node of container.querySelectorAll(selector)) {
      node.title = text;
      if (label) node.setAttribute("aria-label", text);
    }
  }
}
