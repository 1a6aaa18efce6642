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

    // From the page to SVG units by the drawn box and the viewBox (the SVG keeps its aspect
    // ratio); getScreenCTM() is off in some browsers when the page is scrolled.
    function toLocal(event) {
      var box = svg.getBoundingClientRect();
      var view = svg.viewBox.baseVal;
      return {
        x: view.x + ((event.clientX - box.left) * view.width) / box.width,
        y: view.y + ((event.clientY - box.top) * view.height) / box.height,
      };
    }

    svg.addEventListener("click", function (event) {
      var local = toLocal(event);
      lon.value = (west + local.x / (coslat * scale)).toFixed(6);
      lat.value = (north - local.y / scale).toFixed(6);
      show(local.x, local.y);
      // The area clicked is the topmost one: districts are drawn over the city-wide area.
      var area = event.target.closest && event.target.closest("[data-heading]");
      if (area && heading) heading.value = area.getAttribute("data-heading");
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
