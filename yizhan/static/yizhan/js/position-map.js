// The position map: district boundaries underneath, the filtered positions on top in clusters.
// Points and boundaries come from the server already in the tile layer's coordinate system;
// with no tile server configured, the boundaries and points alone are drawn.
(function () {
  "use strict";
  var STATE_COLOURS = { planned: "#6e7781", building: "#9a6700", operating: "#116329", suspended: "#8c959f", delisted: "#a40e26" };
  // Leaflet writes a string it is given (tooltip, popup) as HTML: names from the data go in as text
  // nodes or elements built with textContent (the attribution is escaped by app.js).
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); });
  }
  function init() {
    var el = document.getElementById("position-map");
    if (!el || typeof L === "undefined") { return; }
    var status = document.getElementById("map-status");
    var map = L.map(el, { zoomSnap: 0.25, maxZoom: 18 });
    map.attributionControl.setPrefix("Leaflet");
    window.yizhanBaseMap(map, el);  // app.js: the street base map, or boundaries only with a note
    map.setView([38.91, 121.61], 10);
    var districts = L.featureGroup().addTo(map);
    var clusters = (typeof L.markerClusterGroup === "function")
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 })
      : L.featureGroup();
    clusters.addTo(map);

    var boundaries = getJSON(el.dataset.boundariesUrl).then(function (data) {
      L.geoJSON(data.features, {
        interactive: false,
        style: function (f) {
          return f.properties.role === "self"
            ? { color: "#b91c1c", weight: 2, fill: false, dashArray: "6 4" }
            : { color: "#1f6feb", weight: 1, fillColor: "#1f6feb", fillOpacity: 0.06 };
        }
      }).addTo(districts);
      districts.bringToBack();
    }).catch(function () { /* the points still show without boundaries */ });

    var points = getJSON(el.dataset.pointsUrl).then(function (data) {
      data.points.forEach(function (p) {
        var marker = L.circleMarker([p.lat, p.lng], {
          radius: 8, weight: 2, color: "#fff", fillColor: STATE_COLOURS[p.state] || "#1f6feb", fillOpacity: 0.95
        });
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.name;
        var box = document.createElement("div");
        box.appendChild(link);
        box.appendChild(document.createElement("br"));
        box.appendChild(document.createTextNode(p.state_label));
        marker.bindPopup(box);
        marker.bindTooltip(document.createTextNode(p.name + " · " + p.state_label));
        clusters.addLayer(marker);
      });
      if (status && status.dataset.countTemplate) {
        status.textContent = status.dataset.countTemplate.replace("{n}", String(data.count));
      }
      return data;
    });

    Promise.all([boundaries, points]).then(function (results) {
      var data = results[1];
      var bounds = clusters.getBounds();
      if (data.count && bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
      } else if (districts.getBounds().isValid()) {
        map.fitBounds(districts.getBounds(), { padding: [8, 8] });
      }
      el.dataset.drawn = String(data.count);
    }).catch(function () {
      el.dataset.drawn = "error";
      var note = document.createElement("p");
      note.className = "map-error";
      note.textContent = el.dataset.errorText;
      el.appendChild(note);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
