/* Draws the dashboard's time series from the JSON data block (CSP: no inline scripts). */
(function () {
  "use strict";
  var canvas = document.getElementById("series-chart");
  var block = document.getElementById("series-data");
  if (!canvas || !block || typeof Chart === "undefined") { return; }
  var d = JSON.parse(block.textContent);
  new Chart(canvas, {
    data: {
      labels: d.labels,
      datasets: [
        { type: "bar", label: d.names.accepted, data: d.accepted, backgroundColor: "#0057b8", yAxisID: "y" },
        { type: "bar", label: d.names.decided, data: d.decided, backgroundColor: "#7fa9db", yAxisID: "y" },
        { type: "line", label: d.names.overdue, data: d.overdue, borderColor: "#c0392b", backgroundColor: "#c0392b", yAxisID: "y" },
        { type: "line", label: d.names.on_time, data: d.on_time, borderColor: "#e0a800", backgroundColor: "#e0a800", yAxisID: "y1", spanGaps: true }
      ]
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { beginAtZero: true, position: "left", ticks: { precision: 0 } },
        y1: { beginAtZero: true, max: 100, position: "right", grid: { drawOnChartArea: false }, ticks: { callback: function (v) { return v + "%"; } } }
      }
    }
  });
})();
