// The project form's map: a click marks the place (latitude/longitude in hidden fields) and
// chooses the heading whose area was clicked. The same projection as samskab/budgets/geo.py,
// inverted. Keyboard users choose the heading and describe the place in the form instead.
(function () {
  "use strict";

  function setUp(svg) {
    var form = svg.closest("form");
    if (!form) return;
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    var heading = form.querySelector("select[name=heading]");
    var marker = svg.querySelector("[data-map-marker]");
    var status = form.querySelector("[data-map-status]");
    var clear = form.querySelector("[data-map-clear]");
    var west = parseFloat(svg.dataset.west);
    var north = parseFloat(svg.dataset.north);
    var scale = parseFloat(svg.dataset.scale);
    var coslat = parseFloat(svg.dataset.coslat);

    function show(x, y) {
      marker.setAttribute("cx", x.toFixed(1));
      marker.setAttribute("cy", y.toFixed(1));
      marker.classList.remove("budget-map-marker-off");
      if (clear) clear.hidden = false;
    }

    function say(text) {
      if (status) status.textContent = text;
    }

    if (lat && lon && lat.value && lon.value) {
      show(
        (parseFloat(lon.value) - west) * coslat * scale,
        (north - parseFloat(lat.value)) * scale
      );
    }

    svg.addEventListener("click", function (event) {
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var local = point.matrixTransform(svg.getScreenCTM().inverse());
      lon.value = (west + local.x / (coslat * scale)).toFixed(6);
      lat.value = (north - local.y / scale).toFixed(6);
      show(local.x, local.y);
      // The smallest area under the click is the most specific heading (a district).
      var hits = document.elementsFromPoint(event.clientX, event.clientY);
      for (var i = 0; i < hits.length; i++) {
        var id = hits[i].getAttribute && hits[i].getAttribute("data-heading");
        if (id && heading) {
          heading.value = id;
          break;
        }
      }
      say(svg.dataset.chosen || "");
    });

    if (clear) {
      clear.addEventListener("click", function () {
        lat.value = "";
        lon.value = "";
        marker.classList.add("budget-map-marker-off");
        clear.hidden = true;
        say(svg.dataset.cleared || "");
      });
    }
  }

  document.querySelectorAll("[data-map-picker]").forEach(setUp);
})();
