/* Choose a site's point: click the map (fills lon/lat), type coordinates (moves the marker), or
   take the device's position ("my position": the browser's geolocation, which needs no
   network). The map names the kecamatan, and, zoomed in, the desa, and draws the store's roads
   (jalan) as the reference, all from this app's API. Leaflet is served by the app
   (/vendor/leaflet); nothing is loaded from another host except the optional OpenStreetMap
   tiles, off at start. Text comes from the page (data-lokasi.teks), in the page's language. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("data-lokasi").textContent);
  var teks = data.teks || {};
  var ZOOM_KECAMATAN = 10; // kecamatan names from this zoom
  var ZOOM_DESA = 13; // desa (boundaries and names) from this zoom
  var ZOOM_JALAN = 13; // roads from this zoom (fetched for the view only)
  // Leaflet puts a string tooltip in as HTML: names are data, so escape them.
  function esc(v) {
    return String(v === null || v === undefined ? "" : v)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }
  var lon = document.getElementById("isian-lon");
  var lat = document.getElementById("isian-lat");
  var map = L.map("peta-lokasi", { zoomControl: true, maxZoom: 19 }).setView([-6.25, 107.12], 11);
  var wadah = map.getContainer();
  function kelasZoom() {
    var z = map.getZoom();
    wadah.classList.toggle("z-kecamatan", z >= ZOOM_KECAMATAN);
    wadah.classList.toggle("z-desa", z >= ZOOM_DESA);
  }
  map.on("zoomend", kelasZoom);
  kelasZoom();
  var overlays = {};
  if (data.tiles) {
    overlays[teks.osm] = L.tileLayer(
      "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      { maxZoom: 19, attribution: "© OpenStreetMap contributors" }
    );
  }
  var titik = null;
  var desa = null;
  var kec = L.geoJSON(null, {
    style: { color: "#0b3c5d", weight: 1.5, fillColor: "#dfe7ee", fillOpacity: 0.45 },
    onEachFeature: function (f, layer) {
      var p = f.properties || {};
      layer.bindTooltip(esc(p.nama), {
        permanent: true, direction: "center", className: "label-kecamatan", interactive: false
      });
      layer.on("click", function (e) { pilih(e.latlng); });
    }
  }).addTo(map);
  overlays[teks.kecamatan] = kec;
  fetch(data.kecamatan_url).then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
    if (fc) {
      kec.addData(fc);
      kec.bringToBack();
      tulisWilayah();
      if (!titik) { map.fitBounds(kec.getBounds(), { animate: false }); }
    }
  });

  // Layers fetched for the view (bbox) once zoomed in: desa and roads can be many.
  function lapisanTampak(url, minZoom, buat, selesai) {
    var grup = buat();
    var urutan = 0;
    function muat() {
      if (!url || !map.hasLayer(grup)) { return; }
      if (map.getZoom() < minZoom) { grup.clearLayers(); selesai(0); return; }
      var b = map.getBounds().pad(0.2);
      var n = ++urutan;
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(5); });
      fetch(url + "?bbox=" + bbox.join(",")).then(function (r) { return r.ok ? r.json() : null; }).then(function (fc) {
        if (!fc || n !== urutan) { return; }
        grup.clearLayers();
        grup.addData(fc);
        selesai(fc.features.length);
      });
    }
    map.on("moveend", muat);
    grup.on("add", muat);
    return grup;
  }
  if (data.desa_url) {
    desa = lapisanTampak(data.desa_url, ZOOM_DESA, function () {
      return L.geoJSON(null, {
        style: { color: "#8a6d1f", weight: 1, dashArray: "4 3", fill: true, fillOpacity: 0 },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(esc((f.properties || {}).nama_desa), {
            permanent: true, direction: "center", className: "label-desa", interactive: false
          });
          layer.on("click", function (e) { pilih(e.latlng); });
        }
      });
    }, function (n) { window.klasterDesa = n; tulisWilayah(); });
    desa.addTo(map);
    overlays[teks.desa] = desa;
  }
  if (data.jalan_url) {
    var jalan = lapisanTampak(data.jalan_url, ZOOM_JALAN, function () {
      return L.geoJSON(null, {
        style: { color: "#6e7781", weight: 2.5, opacity: 0.9 },
        onEachFeature: function (f, layer) {
          var p = f.properties || {};
          if (p.nama) { layer.bindTooltip(esc(p.nama), { sticky: true }); }
          layer.on("click", function (e) { pilih(e.latlng); });
        }
      });
    }, function (n) { window.klasterJalan = n; });
    jalan.addTo(map);
    overlays[teks.jalan] = jalan;
  }
  var milik = L.layerGroup().addTo(map);
  overlays[teks.milik] = milik;
  data.lokasi.forEach(function (s) {
    if (s.id === data.pilih) { return; }
    L.circleMarker([s.lat, s.lon], { radius: 5, color: "#fff", weight: 1, fillColor: "#2e7d32", fillOpacity: 0.9 })
      .bindTooltip(esc(s.nama) + " (" + esc(s.id) + ")").addTo(milik);
  });
  L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  function tampilkan(latlng) {
    if (!titik) {
      titik = L.circleMarker(latlng, { radius: 9, color: "#b3261e", weight: 3, fillColor: "#ffd54f", fillOpacity: 1 })
        .bindTooltip(esc(teks.titik)).addTo(map);
    } else {
      titik.setLatLng(latlng);
    }
    titik.bringToFront();
    tulisWilayah();
  }
  // Which kecamatan and desa hold a point (ray casting on the GeoJSON rings): the names of
  // the place are shown under the map, at any zoom.
  function diCincin(x, y, ring) {
    var dalam = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) { dalam = !dalam; }
    }
    return dalam;
  }
  function diDalam(geom, x, y) {
    if (!geom) { return false; }
    var polys = geom.type === "Polygon" ? [geom.coordinates] : (geom.type === "MultiPolygon" ? geom.coordinates : []);
    for (var i = 0; i < polys.length; i++) {
      if (diCincin(x, y, polys[i][0])) {
        var lubang = false;
        for (var k = 1; k < polys[i].length; k++) { if (diCincin(x, y, polys[i][k])) { lubang = true; } }
        if (!lubang) { return true; }
      }
    }
    return false;
  }
  function cari(grup, latlng) {
    if (!grup) { return null; }
    var hit = null;
    grup.eachLayer(function (l) {
      if (!hit && l.feature && diDalam(l.feature.geometry, latlng.lng, latlng.lat)) { hit = l.feature.properties || {}; }
    });
    return hit;
  }
  var infoWilayah = document.getElementById("titik-wilayah");
  function tulisWilayah() {
    if (!infoWilayah || !titik) { return; }
    var ll = titik.getLatLng();
    var k = cari(kec, ll);
    var d = cari(desa, ll);
    if (!k) {
      infoWilayah.textContent = teks.luar;
    } else if (d) {
      infoWilayah.textContent = String(teks.di_desa).replace("{desa}", d.nama_desa || d.kode_desa).replace("{kecamatan}", k.nama);
    } else {
      infoWilayah.textContent = String(teks.di_kecamatan).replace("{kecamatan}", k.nama);
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
  if (dariIsian()) { map.setView(titik.getLatLng(), 15); }

  // "My position": the device's own position (GPS or the network's), no request of ours.
  var tombol = document.getElementById("posisi-saya");
  var status = document.getElementById("posisi-status");
  var lingkar = null;
  if (tombol) {
    if (!("geolocation" in navigator) || window.isSecureContext === false) {
      tombol.disabled = true;
      status.textContent = teks.tanpa;
    }
    tombol.addEventListener("click", function () {
      status.textContent = teks.mencari;
      tombol.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        tombol.disabled = false;
        var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
        var m = Math.round(pos.coords.accuracy || 0);
        pilih(ll);
        if (lingkar) { map.removeLayer(lingkar); }
        if (m > 0) {
          lingkar = L.circle(ll, { radius: m, color: "#b3261e", weight: 1, fillOpacity: 0.08, interactive: false }).addTo(map);
        }
        map.stop();
        map.setView(ll, Math.max(map.getZoom(), 16), { animate: false });
        status.textContent = String(teks.ketemu).replace("{m}", String(m));
      }, function (err) {
        tombol.disabled = false;
        status.textContent = err && err.code === 1 ? teks.ditolak : teks.gagal;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
    });
  }
})();
