// Public finder: "use my location" (the browser gives WGS-84; the server converts before searching),
// the results' list/map switch on a phone, the map (a street base map when the configured tile server
// answers, else boundaries only, said on the map; every public position in view, clustered; the results
// numbered as in the list, above the clusters), and on a station's page its small map and sharing.
// Everything works without this script: the search form is a plain GET form, the links are links.
(function () {
  "use strict";

  function submit(form) {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

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
        document.getElementById("f-q").value = "";  // a typed place would win over the location
        submit(form);
      }, function () {
        status.textContent = button.dataset.denied;
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
    var sort = document.getElementById("f-sort");
    if (sort) { sort.addEventListener("change", function () { submit(form); }); }
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

  function mapData() {
    var dataEl = document.getElementById("finder-map-data");
    return dataEl ? JSON.parse(dataEl.textContent) : { origin: null, results: [] };
  }

  // The street base map, when the tile server answers: a few tiles failing before any loaded, or none
  // within TILE_WAIT_MS, and the map goes on with boundaries only and says so on the map.
  var TILE_WAIT_MS = 8000;
  function addBase(map, el, withoutStreets) {
    var noted = false;
    function note(text) {
      if (noted) { return; }
      noted = true;
      if (withoutStreets) { withoutStreets(); }
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
    var layer = L.tileLayer(el.dataset.tileUrl, { subdomains: "1234", maxZoom: 18, attribution: escapeHtml(el.dataset.tileAttribution) });
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
  }

  function popupLink(url, text) {
    var a = document.createElement("a");
    a.href = url;
    a.textContent = text;
    return a;
  }

  function numberedIcon(text, extraClass) {
    var number = document.createElement("span");
    number.className = "num-marker" + (extraClass ? " " + extraClass : "");
    number.textContent = text;
    return L.divIcon({ className: "", html: number, iconSize: [28, 28] });
  }

  function boundariesLayer(map, url) {
    return getJSON(url).then(function (fc) {
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
  }

  function originMarker(origin, label, pane) {
    return L.circleMarker([origin.lat, origin.lng], { pane: pane, radius: 8, color: "#fff", weight: 3, fillColor: "#0b57d0", fillOpacity: 1 })
      .bindTooltip(document.createTextNode(label));
  }

  function drawFinderMap(el) {
    if (el.dataset.started) { return; }
    el.dataset.started = "1";
    var data = mapData();
    var map = L.map(el, { zoomSnap: 0.5, maxZoom: 18 });
    map.attributionControl.setPrefix("Leaflet");
    // The numbered results sit above the clusters and dots (markerPane, 600) so they stay readable.
    map.createPane("results").style.zIndex = 640;
    map.createPane("origin").style.zIndex = 630;  // the search's point: above the dots, under the numbers
    var positionUrl = el.dataset.positionUrl;
    var cluster = (typeof L.markerClusterGroup === "function")
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 64, disableClusteringAtZoom: 16, chunkedLoading: true })
      : L.featureGroup();
    cluster.addTo(map);
    var top = L.featureGroup().addTo(map);
    var shown = {};
    data.results.forEach(function (r) {
      shown[r.code] = true;  // drawn numbered: no dot of its own under the number
      L.marker([r.lat, r.lng], { pane: "results", icon: numberedIcon(String(r.n)), title: r.n + ". " + r.name, keyboard: true })
        .bindPopup(popupLink(r.url, r.n + ". " + r.name)).addTo(top);
    });
    if (data.origin) {
      originMarker(data.origin, el.dataset.you + "：" + data.origin.label, "origin").addTo(top);
    }
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
          }).bindPopup(popupLink(positionUrl.replace("CODE", encodeURIComponent(p.c)), p.n)).bindTooltip(document.createTextNode(p.n)));
        });
        if (cluster.addLayers) { cluster.addLayers(fresh); } else { fresh.forEach(function (m) { cluster.addLayer(m); }); }
        el.dataset.points = String(Object.keys(shown).length);
      }).catch(function () { /* the results list still shows */ });
    }
    boundariesLayer(map, el.dataset.boundariesUrl).then(function (layer) {
      if (top.getLayers().length) {
        map.fitBounds(top.getBounds(), { padding: [28, 28], maxZoom: 16 });
      } else if (layer && layer.getBounds().isValid()) {
        map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      } else {
        map.setView([35, 105], 4);
      }
      addBase(map, el);
      map.on("moveend", loadPoints);
      loadPoints();
      el.dataset.drawn = "1";
    });
    el._finderMap = map;
  }

  function visible(el) { return el.getClientRects().length > 0; }

  // Leaflet and its cluster plugin (this site's files, in order), loaded when a map is first needed.
  var leafletLoading = null;
  function withLeaflet(el, then) {
    if (typeof L !== "undefined") { then(); return; }
    if (!leafletLoading) {
      leafletLoading = (el.dataset.scripts || "").split(" ").filter(Boolean).reduce(function (previous, src) {
        return previous.then(function () {
          return new Promise(function (resolve, reject) {
            var script = document.createElement("script");
            script.src = src;
            script.onload = resolve;
            script.onerror = reject;
            document.head.appendChild(script);
          });
        });
      }, Promise.resolve());
    }
    leafletLoading.then(function () { if (typeof L !== "undefined") { then(); } }, function () { /* the list still shows */ });
  }

  // On a phone the results show as a list or as the map (the map is drawn when first shown).
  function finderPage() {
    var el = document.getElementById("finder-map");
    if (!el) { return; }
    function draw() { withLeaflet(el, function () { drawFinderMap(el); }); }
    var page = document.getElementById("finder");
    var switcher = document.getElementById("view-switch");
    if (switcher && page) {
      switcher.hidden = false;
      var buttons = switcher.querySelectorAll("button[data-view]");
      Array.prototype.forEach.call(buttons, function (button) {
        button.addEventListener("click", function () {
          var toMap = button.dataset.view === "map";
          page.classList.toggle("show-map", toMap);
          Array.prototype.forEach.call(buttons, function (b) { b.setAttribute("aria-pressed", String(b === button)); });
          if (toMap) {
            if (el._finderMap) { el._finderMap.invalidateSize(); } else { draw(); }
          }
        });
      });
    }
    if (visible(el)) {
      draw();
    } else {
      window.addEventListener("resize", function () { if (visible(el)) { draw(); } });
    }
  }

  // A station's page: its point (and the rider's, when located) on a small map.
  function positionMap() {
    var el = document.getElementById("position-map");
    if (!el || typeof L === "undefined") { return; }
    var data = mapData();
    var spot = data.results[0];
    var map = L.map(el, { zoomSnap: 0.5, maxZoom: 18, scrollWheelZoom: false });
    map.attributionControl.setPrefix("Leaflet");
    map.createPane("results").style.zIndex = 640;
    map.createPane("origin").style.zIndex = 630;
    var top = L.featureGroup().addTo(map);
    L.marker([spot.lat, spot.lng], { pane: "results", icon: numberedIcon(el.dataset.mark, "is-station"), title: spot.name, keyboard: false }).addTo(top);
    if (data.origin) { originMarker(data.origin, el.dataset.you, "origin").addTo(top); }
    var streets = el.dataset.tiles && el.dataset.tiles !== "none" && el.dataset.tileUrl;
    if (data.origin) {
      // Clear of the zoom buttons (top left) and the map's note (bottom left).
      map.fitBounds(top.getBounds(), { paddingTopLeft: [64, 32], paddingBottomRight: [32, 56], maxZoom: 17 });
    } else {
      map.setView([spot.lat, spot.lng], streets ? 16 : 13);
    }
    // The district outlines only when there is no street map to read (they are the largest answer).
    addBase(map, el, function () {
      if (!data.origin) { map.setZoom(13); }
      boundariesLayer(map, el.dataset.boundariesUrl).then(function () { el.dataset.drawn = "1"; });
    });
    if (streets) { el.dataset.drawn = "1"; }
  }

  // Sharing a station: copy its link (for WeChat), the phone's own share sheet where there is one.
  function share() {
    var input = document.getElementById("share-url");
    var copy = document.getElementById("share-copy");
    var status = document.getElementById("share-status");
    if (!input || !copy) { return; }
    copy.hidden = false;
    copy.addEventListener("click", function () {
      function done() { status.textContent = copy.dataset.done; }
      function fallback() {
        input.focus();
        input.select();
        try {
          if (document.execCommand("copy")) { done(); return; }
        } catch (e) { /* not allowed: ask to copy by hand */ }
        status.textContent = copy.dataset.failed;
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(done, fallback);
      } else {
        fallback();
      }
    });
    var native = document.getElementById("share-native");
    if (native && navigator.share) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({ title: native.dataset.title, text: native.dataset.text, url: input.value }).catch(function () { /* cancelled */ });
      });
    }
  }

  // A station's page opened without the rider's location (a shared link, a poster): ask for it, and
  // the page comes back with the walk from here and walking directions starting here.
  function locateOnStation() {
    var button = document.getElementById("pos-locate");
    if (!button || !("geolocation" in navigator)) { return; }
    var status = document.getElementById("pos-locate-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        var query = new URLSearchParams({ lat: pos.coords.latitude.toFixed(6), lng: pos.coords.longitude.toFixed(6), crs: "wgs84" });
        window.location.search = "?" + query.toString();
      }, function () {
        status.textContent = button.dataset.denied;
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  function init() { locate(); finderPage(); positionMap(); share(); locateOnStation(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
