// Drawing a custom area (issue 14 §2) on the staff map: each click adds a vertex, the vertices are
// joined into a closed polygon, and the polygon is written as GeoJSON (in the tile layer's
// coordinate system, named in the form's drawn_crs field) into the form's hidden `drawn` field.
// The surrounding administrative area and its sub-areas are drawn underneath for orientation.
(function () {
  "use strict";
  // Leaflet writes a string it is given (a tooltip) as HTML: names go in as text nodes.
  function init() {
    var el = document.getElementById("area-draw");
    if (!el || typeof L === "undefined") { return; }
    var form = el.closest("form");
    var output = form.querySelector("[data-area-drawn]");
    var count = form.querySelector("[data-area-count]");
    var map = L.map(el, { zoomSnap: 0.25, maxZoom: 18, doubleClickZoom: false });
    map.attributionControl.setPrefix("Leaflet");
    window.yizhanBaseMap(map, el);  // app.js: the street base map, or boundaries only with a note
    var vertices = [];
    var shape = null;
    var dots = L.layerGroup().addTo(map);

    function write() {
      dots.clearLayers();
      vertices.forEach(function (latlng) {
        L.circleMarker(latlng, { radius: 4, color: "#b91c1c", weight: 2, fillColor: "#fff", fillOpacity: 1, interactive: false }).addTo(dots);
      });
      if (shape) { map.removeLayer(shape); shape = null; }
      if (vertices.length >= 2) {
        shape = (vertices.length >= 3 ? L.polygon : L.polyline)(vertices, { color: "#b91c1c", weight: 2, fillOpacity: 0.2, interactive: false }).addTo(map);
      }
      if (vertices.length >= 3) {
        var ring = vertices.map(function (p) { return [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]; });
        ring.push(ring[0]);
        output.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else {
        output.value = "";
      }
      el.dataset.vertices = String(vertices.length);
      if (count) { count.textContent = vertices.length ? vertices.length + " ×" : ""; }
    }
    map.on("click", function (event) { vertices.push(event.latlng); write(); });
    form.querySelector("[data-area-undo]").addEventListener("click", function () { vertices.pop(); write(); });
    form.querySelector("[data-area-clear]").addEventListener("click", function () { vertices = []; write(); });

    fetch(el.dataset.boundariesUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        var own = el.dataset.own;
        var layer = L.geoJSON(data.features, {
          interactive: true,
          style: function (f) {
            if (f.properties.adcode === own) { return { color: "#059669", weight: 3, fillOpacity: 0.15 }; }
            return f.properties.role === "self"
              ? { color: "#1f6feb", weight: 2, fill: false, dashArray: "6 4" }
              : { color: "#1f6feb", weight: 1, fillOpacity: 0.05 };
          },
          onEachFeature: function (feature, item) {
            item.bindTooltip(document.createTextNode(feature.properties.name), { sticky: true });
          }
        }).addTo(map);
        layer.bringToBack();
        if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [4, 4] }); } else { map.setView([34.75, 113.66], 10); }
        el.dataset.drawn = String(data.features.length);
      })
      .catch(function () {
        el.dataset.drawn = "error";
        var note = document.createElement("p");
        note.className = "map-error";
        note.textContent = el.dataset.errorText || "";
        el.appendChild(note);
        map.setView([34.75, 113.66], 10);
      });
    write();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
