// Draws the dashboard charts with uPlot from the JSON endpoints named in
// data-src. Every chart has its numbers in a table or a CSV link next to
// it, and alarms are drawn as large hollow squares, not only in colour.
(function () {
  if (typeof uPlot === "undefined") return;
  // Labels and the decimal separator come from the page, in its language.
  var meta = document.querySelector('meta[name="etichette-grafici"]');
  var L = meta ? JSON.parse(meta.getAttribute("content")) : {};
  var lab = function (k) { return L[k] || k; };
  var dec = L.decimale || ",";
  var pct = function (u, v) { return v == null ? "–" : v.toFixed(1).replace(".", dec) + "%"; };
  var dmyFull = uPlot.fmtDate("{DD}/{MM}/{YYYY}");
  var xDay = function () { return { label: lab("giorno"), value: function (u, v) { return v == null ? "" : dmyFull(new Date(v * 1000)); } }; };
  function width(el) { return Math.max(280, el.clientWidth || 600); }
  var dmy = uPlot.fmtDate("{D}/{M}");
  var dayAxis = { values: function (u, v) { return v.map(function (t) { return dmy(new Date(t * 1000)); }); } };
  var square = function (u, seriesIdx) {
    // uPlot draws points as circles; a square marker keeps alarms readable
    // in greyscale.
    var size = 12;
    uPlot.orient(u, seriesIdx, function (series, dataX, dataY, scaleX, scaleY, valToPosX, valToPosY, xOff, yOff, xDim, yDim) {
      var ctx = u.ctx, d = u.data;
      ctx.save();
      ctx.strokeStyle = "#a61c00"; ctx.lineWidth = 2;
      for (var i = 0; i < d[0].length; i++) {
        var v = d[seriesIdx][i];
        if (v == null) continue;
        var x = valToPosX(d[0][i], scaleX, xDim, xOff), y = valToPosY(v, scaleY, yDim, yOff);
        ctx.strokeRect(x - size / 2, y - size / 2, size, size);
      }
      ctx.restore();
    });
    return null;
  };
  var kinds = {
    serie: function (el, j, small) {
      // Provisional days (not yet enough of the network behind them) are
      // drawn apart, as hollow grey circles without a line.
      var prov = (j.provvisorio || []).map(function (q, i) { return q == null ? null : j.tasso[i]; });
      while (prov.length < j.giorni.length) prov.push(null);
      // The line joins complete days only: a provisional day is never
      // drawn as if it were a real value.
      var real = j.tasso.map(function (v, i) { return prov[i] == null ? v : null; });
      return [{
        width: width(el), height: small ? 160 : 300,
        scales: { y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } } },
        series: [xDay(), 
          { label: lab("assenti"), stroke: "#0066cc", width: 2, value: pct },
          { label: lab("atteso"), stroke: "#5d7083", dash: [6, 4], width: 1.5, value: pct },
          { label: lab("soglia"), stroke: "#cc7a00", width: 1.5, value: pct },
          { label: lab("allarme"), stroke: "#a61c00", paths: square, points: { show: false }, value: pct },
          { label: lab("provvisorio"), stroke: "#767676", paths: function () { return null; }, points: { show: true, size: 9, fill: "#fff" }, value: pct }],
        axes: [dayAxis, { values: function (u, v) { return v.map(function (x) { return x + "%"; }); } }],
        legend: { show: !small }
      }, [j.giorni, real, j.atteso, j.soglia, j.allarme, prov]];
    },
    settimane: function (el, j) {
      return [{
        width: width(el), height: 260,
        scales: { x: { time: false }, y: {}, inc: {} },
        series: [{ label: lab("settimana"), value: function (u, v) { var i = j.settimane.indexOf(v); return i < 0 ? "" : j.etichette[i]; } },
          { label: lab("questanno"), stroke: "#0066cc", width: 2, value: pct },
          { label: lab("precedente"), stroke: "#5d7083", dash: [6, 4], width: 2, value: pct },
          { label: lab("influnet"), stroke: "#008055", dash: [2, 3], width: 2, scale: "inc" },
          // The week still in progress: its days known so far, a hollow
          // point apart from the line.
          { label: lab("parziale"), stroke: "#0066cc", paths: function () { return null; }, points: { show: true, size: 10, fill: "#fff" }, value: pct }],
        // The axis names each week by its Monday (the legend and the table
        // give the ISO week too), with room for the label.
        axes: [{ space: 60, values: function (u, v) { return v.map(function (w) { var i = j.settimane.indexOf(w); return i < 0 ? "" : j.etichette[i].split(" · ")[1]; }); } },
          { values: function (u, v) { return v.map(function (x) { return x + "%"; }); } },
          { side: 1, scale: "inc", grid: { show: false } }]
      }, [j.settimane, j.corrente, j.precedente, j.influnet, j.parziale || j.settimane.map(function () { return null; })]];
    },
    andamento: function (el, j) {
      return [{
        width: width(el), height: 300,
        series: [xDay(), { label: lab("plesso"), stroke: "#0066cc", width: 2, value: pct },
          { label: lab("territorio"), stroke: "#5d7083", dash: [6, 4], width: 2, value: pct }],
        axes: [dayAxis, { values: function (u, v) { return v.map(function (x) { return x + "%"; }); } }]
      }, [j.giorni, j.plesso, j.territorio]];
    }
  };
  kinds.piccolo = function (el, j) { return kinds.serie(el, j, true); };
  Array.prototype.forEach.call(document.querySelectorAll(".chart[data-kind]"), function (el) {
    var kind = kinds[el.getAttribute("data-kind")];
    if (!kind) return;
    fetch(el.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        var spec = kind(el, j);
        // Kept on the element: the browser tests read what was drawn.
        el.uplot = new uPlot(spec[0], spec[1], el);
        el.setAttribute("data-drawn", "1");
      });
  });
})();
