/* Charts of the statistics dashboards, drawn with the vendored Chart.js from the table each
   one stands for: the table is the accessible version (and what shows without JavaScript),
   the canvas is hidden from assistive technology. No data is fetched. */
(function () {
  "use strict";

  if (!window.Chart) {
    return;
  }
  var COLOURS = ["#0059b3", "#d35400", "#2e7d32", "#6a1b9a", "#00838f", "#ad1457"];

  function readTable(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    var labels = [];
    var columns = heads.slice(1).map(function () { return []; });
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      labels.push(row.querySelector("th").textContent.trim());
      Array.prototype.forEach.call(row.querySelectorAll("td"), function (cell, i) {
        var value = cell.getAttribute("data-value");
        columns[i].push(value === "" || value === null ? null : Number(value));
      });
    });
    return { heads: heads.slice(1), labels: labels, columns: columns };
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-stats-chart]"), function (canvas) {
    var table = document.getElementById(canvas.getAttribute("data-table"));
    if (!table) {
      return;
    }
    var kind = canvas.getAttribute("data-stats-chart");
    var data = readTable(table);
    var horizontal = kind === "bar" && data.heads.length === 1;
    new window.Chart(canvas, {
      type: kind,
      data: {
        labels: data.labels,
        datasets: data.columns.map(function (values, i) {
          return {
            label: data.heads[i],
            data: values,
            borderColor: COLOURS[i % COLOURS.length],
            backgroundColor: COLOURS[i % COLOURS.length],
            pointRadius: data.labels.length > 60 ? 0 : 2,
            spanGaps: false
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: data.heads.length > 1 } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    });
  });
})();
