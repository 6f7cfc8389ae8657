// The dashboard's map coloured by usage (issue 15 §6): the positions of the unit's subtree with
// their visits in the period, one colour per quantile class (the API computes the classes and
// counts every position), a legend of the classes, each point a link to the ledger rows behind its
// figure. Base map as the other maps do it: the configured tile server when it answers (two tile
// errors before any loaded, or none within TILE_WAIT_MS, and the map goes on without streets and
// says so), else none. Leaflet writes strings as HTML: names go in as text nodes.
(function () {
  "use strict";
  var TILE_WAIT_MS = 8000;

  function escapeHtml(text) {
    var box = document.createElement("div");
    box.textContent = text || "";
    return box.innerHTML;
  }

  function note(map, text) {
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-note");
      box.textContent = text;
      return box;
    };
    control.addTo(map);
  }

  function addBase(map, el) {
    if (!el.dataset.tiles || el.dataset.tiles === "none" || !el.dataset.tileUrl) {
      el.classList.add("no-tiles");
      el.dataset.base = "none";
      return;
    }
    var layer = L.tileLayer(el.dataset.tileUrl, { subdomains: "1234", maxZoom: 18, attribution: escapeHtml(el.dataset.tileAttribution) });
    var loaded = false, errors = 0, failed = false;
    function fail() {
      if (loaded || failed) { return; }
      failed = true;
      map.removeLayer(layer);
      el.classList.add("no-tiles");
      el.dataset.base = "failed";
      note(map, el.dataset.tilesFailed);
    }
    layer.on("tileload", function () { if (!loaded) { loaded = true; el.dataset.base = "tiles"; } });
    layer.on("tileerror", function () { errors += 1; if (errors >= 2) { fail(); } });
    layer.addTo(map);
    window.setTimeout(fail, TILE_WAIT_MS);
  }

  function legend(map, classes, title) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "usage-legend");
      var heading = document.createElement("strong");
      heading.textContent = title;
      box.appendChild(heading);
      classes.forEach(function (c) {
        var row = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = c.colour;
        row.appendChild(swatch);
        row.appendChild(document.createTextNode(c.label + "（" + c.count + "）"));
        box.appendChild(row);
      });
      return box;
    };
    control.addTo(map);
  }

  function popup(p, unit) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = p.name;
    box.appendChild(name);
    var line = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.visits + " " + unit;
    line.appendChild(link);
    box.appendChild(line);
    return box;
  }

  function init() {
    var el = document.getElementById("usage-map");
    if (!el || typeof L === "undefined") { return; }
    var status = document.getElementById("usage-map-status");
    var map = L.map(el, { zoomSnap: 0.25, maxZoom: 18 });
    map.attributionControl.setPrefix("Leaflet");
    map.setView([35, 105], 4);
    addBase(map, el);
    fetch(el.dataset.mapUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        var markers = [];
        // The quietest first, so the busiest are drawn on top.
        data.points.slice().reverse().forEach(function (p) {
          var c = data.classes[p.cls];
          var marker = L.circleMarker([p.y, p.x], { radius: 5 + p.cls, color: "#374151", weight: 1, fillColor: c.colour, fillOpacity: 0.9 });
          marker.bindPopup(popup(p, el.dataset.visitsUnit));
          marker.addTo(map);
          markers.push(marker);
        });
        legend(map, data.classes, el.dataset.legendTitle);
        if (markers.length) { map.fitBounds(L.featureGroup(markers).getBounds(), { padding: [12, 12], maxZoom: 15 }); }
        el.dataset.points = String(markers.length);
        el.dataset.loaded = "1";
        if (status) {
          status.textContent = el.dataset.shown.replace("{n}", markers.length) + (data.truncated ? el.dataset.truncated : "");
        }
      })
      .catch(function () { if (status) { status.textContent = el.dataset.failed; } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
