// Statistics of a presentation: a bar chart above each table (Chart.js). The charts are a
// picture of the tables beneath them, hidden from screen readers; the tables stay.
(function () {
  "use strict";
  var data = document.getElementById("presentation-charts");
  if (!data || !window.Chart) return;
  var charts = JSON.parse(data.textContent);
  var byId = { drop: charts.drop };
  charts.questions.forEach(function (chart) { byId[chart.id] = chart; });
  var colour = getComputedStyle(document.documentElement).getPropertyValue("--primary").trim() || "#0059b3";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = byId[canvas.dataset.chart];
    if (!chart || !chart.labels.length) return;
    canvas.parentElement.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: chart.labels, datasets: [{ data: chart.counts, backgroundColor: colour }] },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
