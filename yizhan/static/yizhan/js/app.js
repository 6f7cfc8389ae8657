// Small behaviours for every staff page. No inline scripts anywhere (strict CSP).

// The staff maps' base layer (issue 21): the street base map when the tile server answers; with no
// tile server configured, or one that does not answer (a few tiles failing before any loaded, or
// none within TILE_WAIT_MS), boundaries and data only, and a note on the map saying so — the
// public finder's map does the same (finder.js). The note's words come from the map element's
// data-no-tiles and data-tiles-failed. Leaflet writes the attribution as HTML: it goes in escaped.
window.yizhanBaseMap = function (map, el) {
  var TILE_WAIT_MS = 8000;
  var noted = false;
  function note(text) {
    if (noted || !text) { return; }
    noted = true;
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-note");
      box.textContent = text;
      return box;
    };
    control.addTo(map);
  }
  if (!el.dataset.tiles || el.dataset.tiles === "none" || !el.dataset.tileUrl) {
    el.classList.add("no-tiles");
    el.dataset.base = "none";
    note(el.dataset.noTiles);
    return;
  }
  var escaped = document.createElement("div");
  escaped.textContent = el.dataset.tileAttribution || "";
  var layer = L.tileLayer(el.dataset.tileUrl, { subdomains: "1234", maxZoom: 18, attribution: escaped.innerHTML });
  var loaded = false;
  var errors = 0;
  function fail() {
    if (loaded || !map.hasLayer(layer)) { return; }
    map.removeLayer(layer);
    el.classList.add("no-tiles");
    el.dataset.base = "failed";
    note(el.dataset.tilesFailed);
  }
  layer.on("tileload", function () {
    if (!loaded) { loaded = true; el.dataset.base = "tiles"; }
  });
  layer.on("tileerror", function () {
    errors += 1;
    if (errors >= 2) { fail(); }
  });
  layer.addTo(map);
  layer.bringToBack();
  window.setTimeout(fail, TILE_WAIT_MS);
};

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // Filters fold away on a phone (issue 21 §8): a panel marked data-open-wide opens on a wide screen.
  if (window.matchMedia("(min-width: 641px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (panel) { panel.open = true; });
  }
  // A form with data-confirm asks before it submits (e.g. revoking a role).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
});
