/* Sortable tables (the readiness matrix): click a column heading to sort by it (again: the
   other way); a row with data-href opens that page when clicked. No library. */
(function () {
  "use strict";
  document.querySelectorAll("table[data-urutkan]").forEach(function (table) {
    var tbody = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    heads.forEach(function (th, col) {
      var button = th.querySelector("button") || th;
      button.addEventListener("click", function () {
        var naik = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", naik ? "ascending" : "descending");
        var angka = th.getAttribute("data-jenis") === "angka";
        var rows = Array.prototype.slice.call(tbody.rows);
        var nilai = function (tr) {
          var v = tr.cells[col].getAttribute("data-nilai");
          return angka ? parseFloat(v) : String(v).toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = nilai(a), y = nilai(b);
          var c = x < y ? -1 : (x > y ? 1 : 0);
          return naik ? c : -c;
        });
        rows.forEach(function (tr) { tbody.appendChild(tr); });
      });
    });
    tbody.addEventListener("click", function (e) {
      if (e.target.closest("a")) { return; }
      var tr = e.target.closest("tr[data-href]");
      if (tr) { window.location.href = tr.getAttribute("data-href"); }
    });
  });
})();
