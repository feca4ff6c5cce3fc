/* The statistics board's charts (Apache ECharts, vendored in static/vendor/echarts/).
 * No inline script (CSP): each chart is an element
 *   <div class="os-chart" data-chart="line|bar|hbar" data-source="ID" data-series="name,…">
 * whose data is in the json_script element ID ({"labels": [...], "series": [{"name", "data"}]}),
 * the same figures as the table beside it (the table is what screen readers read; the chart
 * itself is aria-hidden). */
(function () {
  "use strict";
  if (typeof window.echarts === "undefined") {
    return;
  }
  var palette = ["#1d5fa8", "#e08a1e", "#2e8b57", "#b03a2e", "#6c5ba7"];

  function read(id) {
    var node = document.getElementById(id);
    if (!node) {
      return null;
    }
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function option(kind, data) {
    var horizontal = kind === "hbar";
    var series = (data.series || []).map(function (s) {
      return {
        name: s.name,
        type: kind === "line" ? "line" : "bar",
        data: (s.data || []).map(function (v) { return v === null ? "-" : v; }),
        smooth: kind === "line",
        label: { show: horizontal, position: "right" }
      };
    });
    var category = { type: "category", data: data.labels || [], axisLabel: { interval: 0 } };
    var value = { type: "value" };
    return {
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: horizontal ? 140 : 48, right: 32, top: 36, bottom: 48, containLabel: false },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? { type: "category", data: (data.labels || []), inverse: true } : value,
      series: series
    };
  }

  function draw(el) {
    var data = read(el.getAttribute("data-source"));
    if (!data) {
      return;
    }
    if (el.getAttribute("data-chart") === "hbar") {
      // one bar per row: the box grows with the rows (set through the CSSOM, which the CSP allows)
      el.style.height = Math.max(320, (data.labels || []).length * 28 + 80) + "px";
    }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option(el.getAttribute("data-chart"), data));
    el.setAttribute("data-rendered", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    var nodes = document.querySelectorAll(".os-chart[data-chart]");
    for (var i = 0; i < nodes.length; i += 1) {
      draw(nodes[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
