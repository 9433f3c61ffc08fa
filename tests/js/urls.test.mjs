// node --test: the reverse map of URLs (static/maps/js/lib/urls.js)
import assert from "node:assert/strict";
import { test } from "node:test";
import { urlFor } from "../../static/maps/js/lib/urls.js";

const URLS = {
  "lifecircle-export": "/api/lifecircle/runs/{pk}/export.{fmt}",
  "planner-feature": "/api/planner/features/{kind}/{code}/",
  "planner-search": "/api/planner/search/",
};

test("fills every placeholder from the arguments", () => {
  assert.equal(urlFor(URLS, "lifecircle-export", { pk: 7, fmt: "csv" }), "/api/lifecircle/runs/7/export.csv");
  assert.equal(urlFor(URLS, "planner-search"), "/api/planner/search/");
});

test("encodes the arguments (codes with slashes or Chinese stay one path segment)", () => {
  assert.equal(urlFor(URLS, "planner-feature", { kind: "idle_land", code: "IL/1 甲" }), "/api/planner/features/idle_land/IL%2F1%20%E7%94%B2/");
});

test("an unknown name or a missing argument is an error, not a wrong URL", () => {
  assert.throws(() => urlFor(URLS, "nope"), /unknown URL name: nope/);
  assert.throws(() => urlFor(URLS, "lifecircle-export", { pk: 7 }), /needs fmt/);
  assert.throws(() => urlFor(undefined, "planner-search"), /unknown URL name/);
});
