// The coverage map: uncovered demand (cells or points) and the stations with their catchment
// figures, from the run's map endpoint (GeoJSON, GCJ-02). Leaflet writes the strings it is given
// as HTML, so every text from the data goes in as a text node of an element built here (a past
// XSS fix): never an HTML string.
(function () {
  "use strict";
  function tooltip(lines) {
    var box = document.createElement("div");
    lines.forEach(function (line) {
      var row = document.createElement("div");
      row.textContent = line;
      box.appendChild(row);
    });
    return box;
  }
  function init() {
    var el = document.getElementById("coverage-map");
    if (!el || typeof L === "undefined") { return; }
    var status = document.getElementById("coverage-map-status");
    var map = L.map(el, { zoomSnap: 0.25, maxZoom: 18 });
    map.attributionControl.setPrefix("Leaflet");
    window.yizhanBaseMap(map, el);  // app.js: the street base map, or boundaries only with a note
    map.setView([38.91, 121.61], 10);
    fetch(el.dataset.mapUrl, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        var uncovered = 0, stations = 0;
        var layer = L.geoJSON(data, {
          style: function (f) {
            return f.properties.layer === "uncovered"
              ? { className: "coverage-uncovered", color: "#a40e26", weight: 0, fillOpacity: 0.35 }
              : {};
          },
          pointToLayer: function (f, latlng) {
            if (f.properties.layer === "station") {
              stations += 1;
              return L.circleMarker(latlng, { radius: 6, color: f.properties.candidate_to_move ? "#9a6700" : "#116329", weight: 2, fillOpacity: 0.8 });
            }
            return L.circleMarker(latlng, { radius: 3, color: "#a40e26", weight: 0, fillOpacity: 0.6 });
          },
          onEachFeature: function (f, item) {
            var p = f.properties;
            if (p.layer === "station") {
              item.bindTooltip(tooltip([(p.code || "") + " " + (p.name || ""), "服务需求 " + Math.round(p.catchment_weight || 0)]));
            } else if (p.cells) {
              uncovered += p.cells;
              item.bindTooltip(tooltip(["未覆盖 " + p.cells + " 处（合并显示）", "需求权重 " + Math.round(p.weight || 0)]));
            } else {
              uncovered += 1;
              item.bindTooltip(tooltip(["未覆盖", p.nearest_m == null ? "附近无站点" : "最近站点 " + Math.round(p.nearest_m) + " 米"]));
            }
          }
        }).addTo(map);
        el.dataset.uncovered = String(uncovered);
        el.dataset.stations = String(stations);
        if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        if (status) { status.textContent = "未覆盖 " + uncovered + " 处，站点 " + stations + " 个"; }
        el.dataset.loaded = "1";
      })
      .catch(function () { if (status) { status.textContent = "地图数据加载失败"; } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
