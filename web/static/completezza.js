// Draws the reporting-rate chart of /ats/completezza with uPlot from the
// JSON endpoint named in data-src. The table below the chart has the same
// numbers, so the page reads without this script.
(function () {
  var el = document.getElementById("chart-completezza");
  if (!el || typeof uPlot === "undefined") return;
  fetch(el.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (rows) {
      var xs = rows.map(function (p) { return Date.parse(p.dal + "T00:00:00Z") / 1000; });
      var ys = rows.map(function (p) { return p.in_tempo; });
      var width = Math.max(300, el.clientWidth || 600);
      // Dates day first, as on every page; labels come from the page, in
      // its language.
      var dmy = uPlot.fmtDate("{DD}/{MM}/{YYYY}"), dm = uPlot.fmtDate("{D}/{M}");
      var day = function (t) { return t == null ? "" : dmy(new Date(t * 1000)); };
      var pct = function (u, v) { return v == null ? "–" : v.toFixed(1).replace(".", el.getAttribute("data-decimal") || ",") + "%"; };
      new uPlot({
        width: width, height: 240,
        tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
        scales: { y: { range: [0, 100] } },
        series: [{ label: el.getAttribute("data-label-x"), value: function (u, v) { return day(v); } },
          { label: el.getAttribute("data-label-y"), stroke: "#0066cc", width: 2, points: { show: true, size: 7 }, value: pct }],
        axes: [{ values: function (u, v) { return v.map(function (t) { return dm(new Date(t * 1000)); }); } }, { label: "%" }]
      }, [xs, ys], el);
      el.setAttribute("data-drawn", "1");
    });
})();
