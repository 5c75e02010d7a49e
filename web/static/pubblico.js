// Draws the public chart (this school year against the previous ones) with
// uPlot from /pubblico/anni.json, above the table that holds the same
// numbers: without JavaScript the table alone is the page.
(function () {
  if (typeof uPlot === "undefined") return;
  var el = document.getElementById("grafico-anni");
  if (!el) return;
  var pct = function (u, v) { return v == null ? "–" : v.toFixed(1).replace(".", ",") + "%"; };
  var colori = ["#5d7083", "#8a6d00", "#008055", "#6b4fa0", "#a61c00"];
  fetch(el.getAttribute("data-src"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (j) {
      if (!j.settimane || j.settimane.length === 0) return;
      var series = [{ label: el.getAttribute("data-week"), value: function (u, v) { var i = j.settimane.indexOf(v); return i < 0 ? "" : j.etichette[i]; } }];
      var n = j.anni.length;
      j.anni.forEach(function (a, i) {
        var last = i === n - 1;
        series.push({ label: a, stroke: last ? "#0066cc" : colori[(n - 2 - i) % colori.length], width: last ? 2.5 : 1.5,
          dash: last ? undefined : [6, 4], value: pct });
      });
      el.setAttribute("role", "img");
      el.setAttribute("aria-label", el.getAttribute("data-label"));
      new uPlot({
        width: Math.max(280, el.clientWidth || 600), height: 260,
        // The rate axis starts at zero: a cut axis makes a small change
        // look large to a reader outside the ATS.
        scales: { x: { time: false }, y: { range: function (u, min, max) { return [0, Math.max(1, (max || 0) * 1.1)]; } } },
        series: series,
        axes: [{ values: function (u, v) { return v.map(function (w) { var i = j.settimane.indexOf(w); return i < 0 ? "" : j.etichette[i]; }); } },
          { values: function (u, v) { return v.map(function (x) { return x + "%"; }); } }]
      }, [j.settimane].concat(j.tassi), el);
      el.setAttribute("data-drawn", "1");
    });
})();
