// Survey results in the admin: a bar chart above each question's table (Chart.js).
// The charts are a picture of the table beneath them and hidden from screen readers;
// the tables are the accessible form of the same figures, and stay without JavaScript.
(function () {
  "use strict";
  var data = document.getElementById("survey-charts");
  if (!data || !window.Chart) return;
  var charts = JSON.parse(data.textContent);
  var colour = getComputedStyle(document.documentElement).getPropertyValue("--primary").trim() || "#0059b3";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = charts[Number(canvas.dataset.chart)];
    if (!chart) return;
    canvas.parentElement.hidden = false;
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: chart.labels, datasets: [{ data: chart.counts, backgroundColor: colour }] },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: false,
        plugins: { legend: { display: false }, tooltip: { enabled: true } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
