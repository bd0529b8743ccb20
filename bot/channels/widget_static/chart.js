/* Tiny inline-SVG charts for the practice page and the trainer dashboard. No dependencies.
 *   MiniChart.bars(container, [{label, value}], {max: 100, title})      horizontal bars
 *   MiniChart.lines(container, xLabels, [{label, values}], {max: 100})  one line per series
 * Each chart also gets a text alternative (role="img" and an aria-label listing the values). */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = ["#2f6fd6", "#d8763b", "#2a9d6f", "#a14fd1", "#c9a227", "#d24f6a", "#5b7083"];

  function svg(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }
  function fmt(v) { return v == null ? "—" : String(Math.round(v)); }

  function bars(container, items, opts) {
    opts = opts || {};
    var max = opts.max || 100, rowH = 30, labelW = 96, width = 360, barW = width - labelW - 44;
    var root = svg("svg", { viewBox: "0 0 " + width + " " + (items.length * rowH + 8), "class": "mini-chart bars",
      role: "img", "aria-label": (opts.title || "") + " " + items.map(function (i) { return i.label + fmt(i.value); }).join("，") });
    items.forEach(function (item, n) {
      var y = n * rowH + 4, w = Math.max(0, Math.min(1, (item.value || 0) / max)) * barW;
      root.append(svg("text", { x: labelW - 8, y: y + 18, "text-anchor": "end", "class": "label" }, item.label));
      root.append(svg("rect", { x: labelW, y: y + 4, width: barW, height: 20, rx: 4, "class": "track" }));
      root.append(svg("rect", { x: labelW, y: y + 4, width: w, height: 20, rx: 4, fill: item.color || COLORS[0],
        "class": "bar" }));
      root.append(svg("text", { x: labelW + barW + 6, y: y + 18, "class": "value" }, fmt(item.value)));
    });
    container.innerHTML = "";
    container.append(root);
    return root;
  }

  function lines(container, xLabels, series, opts) {
    opts = opts || {};
    var max = opts.max || 100, width = 560, height = 220, left = 34, right = 12, top = 10, bottom = 28;
    var plotW = width - left - right, plotH = height - top - bottom;
    var step = xLabels.length > 1 ? plotW / (xLabels.length - 1) : 0;
    function x(i) { return left + (xLabels.length > 1 ? i * step : plotW / 2); }
    function y(v) { return top + plotH - (Math.max(0, Math.min(max, v)) / max) * plotH; }
    var root = svg("svg", { viewBox: "0 0 " + width + " " + (height + 24 * Math.ceil(series.length / 4)),
      "class": "mini-chart lines", role: "img",
      "aria-label": (opts.title || "") + " " + series.map(function (s) {
        return s.label + "：" + s.values.map(fmt).join("、");
      }).join("；") });
    [0, 25, 50, 75, 100].forEach(function (t) {
      root.append(svg("line", { x1: left, x2: width - right, y1: y(t), y2: y(t), "class": "grid" }));
      root.append(svg("text", { x: left - 6, y: y(t) + 4, "text-anchor": "end", "class": "axis" }, String(t)));
    });
    xLabels.forEach(function (label, i) {
      root.append(svg("text", { x: x(i), y: height - 8, "text-anchor": "middle", "class": "axis" }, label));
    });
    series.forEach(function (s, n) {
      var color = s.color || COLORS[n % COLORS.length], pts = [];
      s.values.forEach(function (v, i) { if (v != null) pts.push(x(i) + "," + y(v)); });
      if (pts.length > 1) root.append(svg("polyline", { points: pts.join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
      s.values.forEach(function (v, i) {
        if (v != null) root.append(svg("circle", { cx: x(i), cy: y(v), r: 3.5, fill: color }));
      });
      var lx = left + (n % 4) * 130, ly = height + 14 + Math.floor(n / 4) * 22;
      root.append(svg("rect", { x: lx, y: ly - 9, width: 12, height: 12, fill: color }));
      root.append(svg("text", { x: lx + 16, y: ly + 1, "class": "legend" }, s.label));
    });
    container.innerHTML = "";
    container.append(root);
    return root;
  }

  window.MiniChart = { bars: bars, lines: lines, colors: COLORS };
})();
