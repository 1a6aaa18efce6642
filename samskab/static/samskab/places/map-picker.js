// A form's map (places/partials/map.html with picker=True): a click marks the place
// (latitude/longitude in hidden fields) and chooses the area clicked in the form's
// [data-map-area-select] (a budget's heading). The same projection as samskab/places/geo.py,
// inverted. Keyboard users choose the area and write the address in the form instead.
(function () {
  "use strict";

  function setUp(svg) {
    var form = svg.closest("form");
    if (!form) return;
    var lat = form.querySelector("input[name=latitude]");
    var lon = form.querySelector("input[name=longitude]");
    var areaSelect = form.querySelector("[data-map-area-select]");
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
      marker.classList.remove("places-map-marker-off");
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
      current = local;
      lon.value = (west + local.x / (coslat * scale)).toFixed(6);
      lat.value = (north - local.y / scale).toFixed(6);
      show(local.x, local.y);
      // The area clicked is the topmost one: districts are drawn over the city-wide area.
      var area = event.target.closest && event.target.closest("[data-area]");
      if (area && areaSelect) areaSelect.value = area.getAttribute("data-area");
      say(svg.dataset.chosen || "");
    });

    // By keyboard too: the map is focusable and the arrow keys move the mark (Shift for
    // bigger steps), starting from the middle; the coordinates follow.
    var current = null;
    svg.addEventListener("keydown", function (event) {
      var steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      var step = steps[event.key];
      if (!step) return;
      event.preventDefault();
      var view = svg.viewBox.baseVal;
      if (!current) {
        current = marker.classList.contains("places-map-marker-off")
          ? { x: view.x + view.width / 2, y: view.y + view.height / 2 }
          : { x: parseFloat(marker.getAttribute("cx")), y: parseFloat(marker.getAttribute("cy")) };
      }
      var size = (view.width / 100) * (event.shiftKey ? 5 : 1);
      current.x = Math.min(Math.max(current.x + step[0] * size, view.x), view.x + view.width);
      current.y = Math.min(Math.max(current.y + step[1] * size, view.y), view.y + view.height);
      lon.value = (west + current.x / (coslat * scale)).toFixed(6);
      lat.value = (north - current.y / scale).toFixed(6);
      show(current.x, current.y);
      say(svg.dataset.chosen || "");
    });

    if (clear) {
      clear.addEventListener("click", function () {
        current = null;
        lat.value = "";
        lon.value = "";
        marker.classList.add("places-map-marker-off");
        clear.hidden = true;
        say(svg.dataset.cleared || "");
      });
    }
  }

  document.querySelectorAll("[data-map-picker]").forEach(function (svg) {
    if (svg.dataset.mapReady) return; // the partial may load this script twice
    svg.dataset.mapReady = "1";
    setUp(svg);
  });
})();
