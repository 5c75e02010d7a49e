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
      new uPlot({
        width: width, height: 240,
        scales: { y: { range: [0, 100] } },
        series: [{}, { label: "% in tempo", stroke: "#0066cc", width: 2, points: { show: true, size: 7 } }],
        axes: [{}, { label: "%" }]
      }, [xs, ys], el);
      el.setAttribute("data-drawn", "1");
    });
})();
