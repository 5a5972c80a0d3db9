/* Phone first (see ponsel.css): every data table in its own scroll box, so a wide table
   scrolls by itself instead of the page; a table marked .kartu-hp gets each cell's column name
   (data-label), shown when the table becomes one card per row on a phone. No network. */
(function () {
  "use strict";
  function siapkan() {
    var tabel = document.querySelectorAll("main table.tabel");
    for (var i = 0; i < tabel.length; i++) {
      var t = tabel[i];
      if (t.classList.contains("kartu-hp")) {
        var kepala = [];
        var th = t.querySelectorAll("thead th");
        for (var j = 0; j < th.length; j++) { kepala.push(th[j].textContent.trim()); }
        var baris = t.querySelectorAll("tbody tr");
        for (var r = 0; r < baris.length; r++) {
          var sel = baris[r].children;
          for (var c = 0; c < sel.length && c < kepala.length; c++) {
            if (!sel[c].hasAttribute("data-label")) { sel[c].setAttribute("data-label", kepala[c]); }
          }
        }
        continue;
      }
      // the print sheet keeps its tables as laid out for A4 (ponsel.css scrolls them on a
      // phone screen without a wrapper, which would change how the sheet breaks into pages)
      if (document.body.classList.contains("cetak")) { continue; }
      var induk = t.parentElement;
      if (!induk || induk.classList.contains("gulir") || induk.classList.contains("gulir-tabel")) { continue; }
      var kotak = document.createElement("div");
      kotak.className = "gulir-tabel";
      induk.insertBefore(kotak, t);
      kotak.appendChild(t);
    }
  }
  // On a phone the analysis parameters fold to one line (what they are now); a tap opens them.
  function lipatParameter() {
    var f = document.querySelector("form.parameter");
    if (!f || !f.getAttribute("data-lipat") || !window.matchMedia("(max-width: 767px)").matches) { return; }
    var b = document.createElement("button");
    b.type = "button";
    b.className = "buka-parameter";
    b.setAttribute("aria-expanded", "false");
    b.textContent = f.getAttribute("data-lipat");
    f.classList.add("terlipat");
    f.insertBefore(b, f.firstChild);
    b.addEventListener("click", function () {
      var terlipat = f.classList.toggle("terlipat");
      b.setAttribute("aria-expanded", terlipat ? "false" : "true");
    });
  }
  function mulai() {
    siapkan();
    lipatParameter();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mulai);
  } else {
    mulai();
  }
})();
