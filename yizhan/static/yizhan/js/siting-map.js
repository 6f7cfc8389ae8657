// The siting map: the demand the new sites cover (green), what stays uncovered (red), the chosen
// sites numbered as in the table with their reach and the coverage each adds, and the existing
// stations, from the run's map endpoint (GeoJSON, GCJ-02). As in coverage-map.js, every text from
// the data goes in as a text node (Leaflet writes strings as HTML): never an HTML string.
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
  var STYLES = {
    newly_covered: { className: "siting-newly-covered", color: "#116329", weight: 0, fillOpacity: 0.35 },
    uncovered: { className: "siting-uncovered", color: "#a40e26", weight: 0, fillOpacity: 0.3 }
  };
  function init() {
    var el = document.getElementById("siting-map");
    if (!el || typeof L === "undefined") { return; }
    var status = document.getElementById("siting-map-status");
    var map = L.map(el, { zoomSnap: 0.25, maxZoom: 18 });
    map.attributionControl.setPrefix("Leaflet");
    window.yizhanBaseMap(map, el);  // app.js: the street base map, or boundaries only with a note
    map.setView([38.91, 121.61], 10);
    fetch(el.dataset.mapUrl, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        var counts = { newly_covered: 0, uncovered: 0, site: 0, station: 0 };
        var circles = L.layerGroup().addTo(map);
        var layer = L.geoJSON(data, {
          style: function (f) { return STYLES[f.properties.layer] || {}; },
          pointToLayer: function (f, latlng) {
            var p = f.properties;
            if (p.layer === "site") {
              L.circle(latlng, { radius: p.reach_m, className: "siting-reach", color: "#0550ae", weight: 1, fillOpacity: 0.05 }).addTo(circles);
              return L.circleMarker(latlng, { className: "siting-site", radius: 8, color: "#0550ae", weight: 2, fillOpacity: 0.9 });
            }
            if (p.layer === "station") {
              return L.circleMarker(latlng, { className: "siting-station", radius: 5, color: "#57606a", weight: 2, fillOpacity: 0.6 });
            }
            return L.circleMarker(latlng, Object.assign({ radius: 3 }, STYLES[p.layer] || {}));
          },
          onEachFeature: function (f, item) {
            var p = f.properties;
            counts[p.layer] = (counts[p.layer] || 0) + 1;
            if (p.layer === "site") {
              item.bindTooltip(tooltip(["#" + p.number + " " + (p.label || ""), "新增覆盖 " + Math.round(p.gain || 0)]), { permanent: false });
            } else if (p.layer === "station") {
              item.bindTooltip(tooltip(["现有站点", (p.code || "") + " " + (p.name || "")]));
            } else {
              counts[p.layer] += (p.cells || 1) - 1;  // a binned square holds several cells
              item.bindTooltip(tooltip([
                (p.layer === "newly_covered" ? "新增覆盖" : "仍未覆盖") + (p.cells ? " " + p.cells + " 处（合并显示）" : ""),
                "需求权重 " + (Math.round((p.weight || 0) * 10) / 10)
              ]));
            }
          }
        }).addTo(map);
        el.dataset.newlyCovered = String(counts.newly_covered);
        el.dataset.uncovered = String(counts.uncovered);
        el.dataset.sites = String(counts.site);
        el.dataset.stations = String(counts.station);
        if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [10, 10] }); }
        if (status) {
          status.textContent = "新增站点 " + counts.site + " 个，新增覆盖 " + counts.newly_covered + " 处，仍未覆盖 " + counts.uncovered + " 处，现有站点 " + counts.station + " 个";
        }
        el.dataset.loaded = "1";
      })
      .catch(function () { if (status) { status.textContent = "地图数据加载失败"; } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
