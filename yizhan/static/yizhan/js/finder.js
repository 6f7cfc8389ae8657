// Public finder: "use my location" (the browser gives WGS-84; the server converts before searching)
// and the map (boundaries and every public position in view, clustered; the results numbered).
// Everything works without this script: the search form is a plain GET form.
(function () {
  "use strict";
  function locate() {
    var button = document.getElementById("locate");
    var form = document.getElementById("finder-form");
    if (!button || !form || !("geolocation" in navigator)) { return; }
    button.hidden = false;
    var status = document.getElementById("finder-status");
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("f-lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("f-lng").value = pos.coords.longitude.toFixed(6);
        document.getElementById("f-crs").value = "wgs84";
        document.getElementById("f-q").value = "";
        form.submit();
      }, function () {
        status.textContent = button.dataset.denied;
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  // Leaflet writes a string it is given (tooltip, popup, divIcon, attribution) as HTML: names from the
  // data go in as text nodes or elements built with textContent, the attribution escaped.
  function escapeHtml(text) {
    var box = document.createElement("div");
    box.textContent = text || "";
    return box.innerHTML;
  }

  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error(String(r.status)); }
      return r.json();
    });
  }

  function drawMap() {
    var el = document.getElementById("finder-map");
    var dataEl = document.getElementById("finder-map-data");
    if (!el || typeof L === "undefined") { return; }
    var data = dataEl ? JSON.parse(dataEl.textContent) : { origin: null, results: [] };
    var map = L.map(el, { zoomSnap: 0.5, maxZoom: 18 });
    map.attributionControl.setPrefix("Leaflet");
    if (el.dataset.tiles && el.dataset.tiles !== "none" && el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { subdomains: "1234", maxZoom: 18, attribution: escapeHtml(el.dataset.tileAttribution) }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    var positionUrl = el.dataset.positionUrl;
    var cluster = (typeof L.markerClusterGroup === "function")
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 45, chunkedLoading: true })
      : L.featureGroup();
    cluster.addTo(map);
    var top = L.featureGroup().addTo(map);

    function popup(name, code) {
      var a = document.createElement("a");
      a.href = positionUrl.replace("CODE", encodeURIComponent(code));
      a.textContent = name;
      return a;
    }
    data.results.forEach(function (r, i) {
      var number = document.createElement("span");
      number.className = "num-marker";
      number.textContent = String(i + 1);
      var icon = L.divIcon({ className: "", html: number, iconSize: [26, 26] });
      L.marker([r.lat, r.lng], { icon: icon, title: (i + 1) + ". " + r.name, keyboard: true })
        .bindPopup(popup(r.name, r.code)).addTo(top);
    });
    if (data.origin) {
      L.circleMarker([data.origin.lat, data.origin.lng], { radius: 8, color: "#fff", weight: 3, fillColor: "#0b57d0", fillOpacity: 1 })
        .bindTooltip(document.createTextNode(el.dataset.you + "：" + data.origin.label)).addTo(top);
    }
    var shown = {};
    function loadPoints() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); }).join(",");
      getJSON(el.dataset.pointsUrl + "?bbox=" + bbox).then(function (res) {
        var fresh = [];
        res.points.forEach(function (p) {
          if (shown[p.c]) { return; }
          shown[p.c] = true;
          fresh.push(L.circleMarker([p.y, p.x], {
            radius: 7, weight: 2, color: "#fff", fillColor: p.s ? "#8c959f" : "#b3261e", fillOpacity: 0.9
          }).bindPopup(popup(p.n, p.c)).bindTooltip(document.createTextNode(p.n)));
        });
        if (cluster.addLayers) { cluster.addLayers(fresh); } else { fresh.forEach(function (m) { cluster.addLayer(m); }); }
        el.dataset.points = String(Object.keys(shown).length);
      }).catch(function () { /* the results list still shows */ });
    }
    var boundaries = getJSON(el.dataset.boundariesUrl).then(function (fc) {
      var layer = L.geoJSON(fc.features, {
        interactive: false,
        style: function (f) {
          return f.properties.role === "self"
            ? { color: "#b3261e", weight: 2, fill: false, dashArray: "6 4" }
            : { color: "#1f6feb", weight: 1, fillColor: "#1f6feb", fillOpacity: 0.05 };
        }
      }).addTo(map);
      layer.bringToBack();
      return layer;
    }).catch(function () { return null; });
    boundaries.then(function (layer) {
      if (top.getLayers().length) {
        map.fitBounds(top.getBounds(), { padding: [24, 24], maxZoom: 16 });
      } else if (layer && layer.getBounds().isValid()) {
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      } else {
        map.setView([35, 105], 4);
      }
      map.on("moveend", loadPoints);
      loadPoints();
      el.dataset.drawn = "1";
    });
  }

  function init() { locate(); drawMap(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
