// The dashboard's charts (ECharts, served from this site): data from the page's JSON block, each
// bar or slice a link to the rows behind it, as the table beside it is.
(function () {
  "use strict";
  var block = document.getElementById("overview-charts");
  if (!block || !window.echarts) { return; }
  var data = JSON.parse(block.textContent);
  function go(params) { if (params.data && params.data.url) { window.location.href = params.data.url; } }
  var trend = document.getElementById("chart-trend");
  if (trend && data.trend.length) {
    var bar = window.echarts.init(trend);
    bar.setOption({
      animation: false,
      // containLabel: the axis labels (180,000) fit inside the chart on a phone instead of being cut.
      grid: { left: 8, right: 12, top: 16, bottom: 28, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.trend.map(function (d) { return d.label; }) },
      yAxis: { type: "value" },
      series: [{ type: "bar", data: data.trend.map(function (d) { return { value: d.value, url: d.url }; }), itemStyle: { color: "#b91c1c" } }]
    });
    bar.on("click", go);
    window.addEventListener("resize", function () { bar.resize(); });
  }
  var states = document.getElementById("chart-states");
  if (states && data.states.length) {
    var pie = window.echarts.init(states);
    pie.setOption({
      animation: false,
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "70%"], data: data.states.map(function (d) { return { name: d.label, value: d.value, url: d.url }; }) }]
    });
    pie.on("click", go);
    window.addEventListener("resize", function () { pie.resize(); });
  }
}());
