// A small map on the position form: a click fills the longitude and latitude fields. The map is drawn
// in the tile layer's coordinate system, so the coordinate-system select is set to match it.
(function () {
  "use strict";
  var DALIAN = [38.91, 121.61];
  function init() {
    var el = document.getElementById("position-picker");
    if (!el || typeof L === "undefined") { return; }
    var form = el.closest("form");
    var lngInput = form.querySelector('[data-picker="lng"]');
    var latInput = form.querySelector('[data-picker="lat"]');
    var crsSelect = form.querySelector('[data-picker="crs"]');
    var map = L.map(el, { zoomSnap: 0.25, maxZoom: 18 });
    map.attributionControl.setPrefix("Leaflet");
    window.yizhanBaseMap(map, el);  // app.js: the street base map, or boundaries only with a note
    var marker = null;
    function place(latlng) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.circleMarker(latlng, { radius: 8, color: "#b91c1c", weight: 3, fillColor: "#fff", fillOpacity: 1 }).addTo(map);
      }
    }
    var start = null;
    if (el.dataset.pointLat && el.dataset.pointLng) {
      start = L.latLng(parseFloat(el.dataset.pointLat), parseFloat(el.dataset.pointLng));
      place(start);
    }
    map.setView(start || DALIAN, start ? 15 : 11);
    map.on("click", function (event) {
      place(event.latlng);
      lngInput.value = event.latlng.lng.toFixed(6);
      latInput.value = event.latlng.lat.toFixed(6);
      if (crsSelect && el.dataset.tileCrs) { crsSelect.value = el.dataset.tileCrs; }
      [lngInput, latInput, crsSelect].forEach(function (input) {
        if (input) { input.dispatchEvent(new Event("change", { bubbles: true })); }
      });
      el.dataset.picked = "1";
    });
    fetch(el.dataset.boundariesUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data.features, {
          interactive: false,
          style: function (f) {
            return f.properties.role === "self"
              ? { color: "#b91c1c", weight: 2, fill: false, dashArray: "6 4" }
              : { color: "#1f6feb", weight: 1, fillOpacity: 0.06 };
          }
        }).addTo(map);
        layer.bringToBack();
        if (!start && layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [4, 4] }); }
        el.dataset.drawn = String(data.features.length);
      })
      .catch(function () { el.dataset.drawn = "error"; });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
