/* Choose a site's point: click the map (fills lon/lat) or type coordinates (moves the marker).
   Leaflet is served by the app (/vendor/leaflet); nothing is loaded from another host except
   the optional OpenStreetMap tiles, off at start. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data-lokasi").textContent);
  // Leaflet puts a string tooltip in as HTML: names are data, so escape them.
  function esc(v) {
    return String(v === null || v === undefined ? "" : v)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  var lon = document.getElementById("isian-lon");
  var lat = document.getElementById("isian-lat");
  var map = L.map("peta-lokasi", { zoomControl: true, maxZoom: 19 }).setView([-6.25, 107.12], 11);
  var overlays = {};
  if (data.tiles) {
    overlays["Peta dasar OpenStreetMap (daring)"] = L.tileLayer(
      "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      { maxZoom: 19, attribution: "© OpenStreetMap contributors" }
    );
  }
  var kec = L.geoJSON(null, {
    style: { color: "#0b3c5d", weight: 1, fillColor: "#dfe7ee", fillOpacity: 0.5 },
    onEachFeature: function (f, layer) {
      var p = f.properties || {};
      layer.bindTooltip(esc(p.nama) + " " + esc(p.kode), { sticky: true });
      layer.on("click", function (e) { pilih(e.latlng); });
    }
  }).addTo(map);
  overlays["Batas kecamatan"] = kec;
  fetch(data.kecamatan_url).then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
    if (fc) {
      kec.addData(fc);
      kec.bringToBack();
      if (!titik) { map.fitBounds(kec.getBounds()); }
    }
  });
  var milik = L.layerGroup().addTo(map);
  overlays["Lokasi saya"] = milik;
  data.lokasi.forEach(function (s) {
    if (s.id === data.pilih) { return; }
    L.circleMarker([s.lat, s.lon], { radius: 5, color: "#fff", weight: 1, fillColor: "#2e7d32", fillOpacity: 0.9 })
      .bindTooltip(esc(s.nama) + " (" + esc(s.id) + ")").addTo(milik);
  });
  L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  var titik = null;
  function tampilkan(latlng) {
    if (!titik) {
      titik = L.circleMarker(latlng, { radius: 9, color: "#b3261e", weight: 3, fillColor: "#ffd54f", fillOpacity: 1 })
        .bindTooltip("titik lokasi").addTo(map);
    } else {
      titik.setLatLng(latlng);
    }
  }
  function pilih(latlng) {
    lon.value = latlng.lng.toFixed(6);
    lat.value = latlng.lat.toFixed(6);
    tampilkan(latlng);
  }
  map.on("click", function (e) { pilih(e.latlng); });
  function dariIsian() {
    var x = parseFloat(String(lon.value).replace(",", "."));
    var y = parseFloat(String(lat.value).replace(",", "."));
    if (isFinite(x) && isFinite(y) && Math.abs(y) <= 90 && Math.abs(x) <= 180) {
      tampilkan(L.latLng(y, x));
      return true;
    }
    return false;
  }
  lon.addEventListener("change", function () { if (dariIsian()) { map.panTo(titik.getLatLng()); } });
  lat.addEventListener("change", function () { if (dariIsian()) { map.panTo(titik.getLatLng()); } });
  if (dariIsian()) { map.setView(titik.getLatLng(), 13); }
})();
