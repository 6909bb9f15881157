// Dashboard: the bar chart of this year's outcomes. The data is in the page (json_script), the same
// figures are in the table beside the chart, so the page says everything without JavaScript too.
(function () {
  "use strict";
  var holder = document.getElementById("outcome-chart");
  var source = document.getElementById("outcome-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var accent = getComputedStyle(document.documentElement).getPropertyValue("--accent").trim() || "#1d4f91";
  var chart = echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    grid: { left: 40, right: 16, top: 24, bottom: 40 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: "{b}：{c} 件" },
    xAxis: { type: "category", data: data.labels, axisTick: { alignWithLabel: true },
             axisLabel: { color: "#1f2329", fontSize: 13 } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { color: "#5c6370" },
             splitLine: { lineStyle: { color: "#e9ecf1" } } },
    series: [{ type: "bar", data: data.values, barMaxWidth: 48, itemStyle: { color: accent },
               label: { show: true, position: "top", color: "#1f2329" } }]
  });
  chart.on("click", function (params) {
    window.location.href = data.link + data.codes[params.dataIndex];
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
