// node --test: the colour contrast of the public map's legend and badges
// (static/maps/js/lib/contrast.js, WCAG 2.1 AA: 4.5:1 for text, 3:1 for marks)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DARK_INK, LIGHT_INK, SWATCH_EDGE, contrastRatio, inkOn, luminance, parseHex } from "../../static/maps/js/lib/contrast.js";
import { STAGE_COLOURS, UNKNOWN_STAGE } from "../../static/maps/js/lib/themes.js";

const css = (name) => readFileSync(new URL(`../../static/maps/css/${name}`, import.meta.url), "utf8");

test("the ratio is WCAG's: black on white 21, a colour on itself 1, symmetric", () => {
  assert.equal(contrastRatio("#000000", "#ffffff"), 21);
  assert.equal(contrastRatio("#66c2a5", "#66c2a5"), 1);
  assert.equal(contrastRatio("#777", "#fff"), contrastRatio("#fff", "#777"));
  // WCAG's own example: #767676 on white is the lightest grey that passes 4.5:1
  assert.ok(contrastRatio("#767676", "#ffffff") >= 4.5);
  assert.ok(contrastRatio("#777777", "#ffffff") < 4.5);
  assert.deepEqual(parseHex("#fa0"), [255, 170, 0]);
  assert.throws(() => parseHex("red"));
  assert.ok(luminance("#ffffff") === 1 && luminance("#000000") === 0);
});

test("every stage badge's text meets 4.5:1 on its stage colour", () => {
  for (const [stage, colour] of Object.entries({ ...STAGE_COLOURS, unknown: UNKNOWN_STAGE })) {
    const ratio = contrastRatio(inkOn(colour), colour);
    assert.ok(ratio >= 4.5, `${stage} ${colour}: ${ratio.toFixed(2)}`);
  }
  // white text, as the badges had, fails on most of the light Set2 stage colours
  const failing = Object.values(STAGE_COLOURS).filter((c) => contrastRatio(LIGHT_INK, c) < 4.5);
  assert.ok(failing.length >= 5, failing);
  assert.equal(inkOn("#1b1b1b"), LIGHT_INK);
  assert.equal(inkOn("#ffd92f"), DARK_INK);
});

test("legend swatches are outlined at 3:1 or more against the legend's white", () => {
  assert.ok(contrastRatio(SWATCH_EDGE, "#ffffff") >= 3);
  // the stylesheets draw that outline around the public legend's and filter's swatches
  const rule = /\.legend i\.sw[^{]*\{[^}]*border:\s*1px solid\s*(#[0-9a-f]{6})/i.exec(css("maps.css"));
  assert.ok(rule, "maps.css: .legend i.sw has a 1px solid border");
  assert.ok(contrastRatio(rule[1], "#ffffff") >= 3, rule[1]);
  const filter = /\.stage-opt i\.sw[^{]*\{[^}]*border:\s*1px solid\s*(#[0-9a-f]{6})/i.exec(css("public.css"));
  assert.ok(filter, "public.css: .stage-opt i.sw has a 1px solid border");
  assert.ok(contrastRatio(filter[1], "#fafafa") >= 3, filter[1]);
});

test("the hints (the card's note under the residents' form) meet 4.5:1 on white and the panel", () => {
  const hint = /^\.hint \{ color: (#[0-9a-f]{6})/m.exec(css("maps.css"));
  assert.ok(hint, "maps.css: .hint has a colour");
  for (const bg of ["#ffffff", "#fafafa"]) assert.ok(contrastRatio(hint[1], bg) >= 4.5, `${hint[1]} on ${bg}`);
});

test("the public pages' grey texts meet 4.5:1 on their backgrounds", () => {
  // [colour, background]: the card's labels, the statistics' captions and notes, the hints
  for (const [fg, bg] of [["#546e7a", "#ffffff"], ["#455a64", "#ffffff"], ["#37474f", "#ffffff"]]) {
    assert.ok(contrastRatio(fg, bg) >= 4.5, `${fg} on ${bg}: ${contrastRatio(fg, bg).toFixed(2)}`);
  }
});
