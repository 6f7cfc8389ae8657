// Draws an area and its sub-areas with Leaflet. Boundaries come from the API already expressed in
// the tile layer's coordinate system; with no tile server configured, the boundaries alone are drawn.
(function () {
  "use strict";
  // Leaflet writes a string it is given (a tooltip) as HTML: area names from imported data go in as
  // text nodes (the attribution is escaped by app.js).
  function init() {
    var el = document.getElementById("region-map");
    if (!el || typeof L === "undefined") { return; }
    var map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
    map.attributionControl.setPrefix("Leaflet");  // plain credit, no icon or outside link
    window.yizhanBaseMap(map, el);  // app.js: the street base map, or boundaries only with a note
    var palette = ["#1f6feb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#b45309", "#4338ca", "#be123c"];
    var detailUrl = el.dataset.detailUrlTemplate;
    fetch(el.dataset.boundariesUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        var children = data.features.filter(function (f) { return f.properties.role === "child"; });
        var own = data.features.filter(function (f) { return f.properties.role === "self"; });
        var outline = L.geoJSON(own, { style: { color: "#b91c1c", weight: 3, fill: false, dashArray: "6 4" } }).addTo(map);
        var i = 0;
        var districts = L.geoJSON(children, {
          style: function () { var c = palette[i++ % palette.length]; return { color: c, weight: 1.5, fillColor: c, fillOpacity: 0.18 }; },
          onEachFeature: function (feature, layer) {
            layer.bindTooltip(document.createTextNode(feature.properties.name), { sticky: true });
            layer.on("click", function () { window.location.href = detailUrl.replace("000000", encodeURIComponent(feature.properties.adcode)); });
          }
        }).addTo(map);
        var bounds = (own.length ? outline : districts).getBounds();
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); } else { map.setView([38.91, 121.61], 9); }
        el.dataset.drawn = String(data.features.length);
      })
      .catch(function () {
        el.dataset.drawn = "error";
        var note = document.createElement("p");
        note.className = "map-error";
        note.textContent = el.dataset.errorText || "边界加载失败";
        el.appendChild(note);
        map.setView([38.91, 121.61], 9);
      });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
