// The optional tiled map (places/partials/map.html with data-tiles): when the site settings
// name a tile server, the inline SVG map becomes a Leaflet map over those tiles, with the
// same areas and points. The SVG stays in the page (hidden) and comes back if Leaflet or
// the tiles cannot load; in a form, a click marks the place as the SVG picker does, and
// the address and area fields work without either map.
(function () {
  "use strict";

  function escapeHtml(text) {
    // Leaflet shows the attribution as HTML; the site settings' text is shown as text.
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  function setUp(figure) {
    if (!window.L || figure.dataset.tilesReady) return;
    figure.dataset.tilesReady = "1";
    var data = JSON.parse(document.getElementById(figure.dataset.features).textContent);
    var svg = figure.querySelector("svg");
    var picker = svg && svg.hasAttribute("data-map-picker");
    var box = document.createElement("div");
    box.className = "places-map-tiles";
    figure.insertBefore(box, svg);
    var map = window.L.map(box, { scrollWheelZoom: false });
    var tiles = window.L.tileLayer(figure.dataset.tiles, {
      attribution: escapeHtml(figure.dataset.attribution || ""),
      maxZoom: 19,
    });
    var failures = 0;
    tiles.on("tileerror", function () {
      failures += 1;
      if (failures === 4) {
        // The tile server does not answer: the site's own map again.
        box.hidden = true;
        svg.removeAttribute("hidden");
      }
    });
    // (An SVG element has no `hidden` property; the attribute and places.css hide it.)
    svg.setAttribute("hidden", "");

    var form = figure.closest("form");
    var lat = form && form.querySelector("input[name=latitude]");
    var lon = form && form.querySelector("input[name=longitude]");
    var areaSelect = form && form.querySelector("[data-map-area-select]");
    var status = form && form.querySelector("[data-map-status]");
    var clear = form && form.querySelector("[data-map-clear]");
    var marker = null;

    function mark(latlng) {
      if (marker) marker.setLatLng(latlng);
      else marker = window.L.circleMarker(latlng, { radius: 9, color: "#fff", weight: 3, fillColor: "#0059b3", fillOpacity: 1 }).addTo(map);
      if (clear) clear.hidden = false;
    }

    function choose(event, key) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      mark(event.latlng);
      if (key !== null && areaSelect) areaSelect.value = String(key);
      if (status) status.textContent = svg.dataset.chosen || "";
    }

    // The view first: Leaflet's vector layers need it before they are added.
    var bounds = null;
    data.areas.forEach(function (area) {
      var shape = window.L.geoJSON(area.geometry).getBounds();
      bounds = bounds ? bounds.extend(shape) : shape;
    });
    if (bounds) map.fitBounds(bounds);
    else if (data.points.length) map.setView([data.points[0].lat, data.points[0].lon], 15);
    else return;
    tiles.addTo(map);

    data.areas.forEach(function (area) {
      var layer = window.L.geoJSON(area.geometry, {
        style: { color: "#1a1a1a", weight: 2, fillColor: "#cfe3c4", fillOpacity: 0.35 },
      });
      layer.bindTooltip(area.label);
      layer.on("click", function (event) {
        if (picker && lat && lon) choose(event, area.key);
        else if (area.url) window.location.href = area.url;
      });
      layer.addTo(map);
    });
    data.points.forEach(function (point) {
      var dot = window.L.circleMarker([point.lat, point.lon], { radius: 7, color: "#fff", weight: 2, fillColor: "#b0292e", fillOpacity: 1 });
      dot.bindTooltip(point.label);
      if (point.url) {
        dot.on("click", function () {
          window.location.href = point.url;
        });
      }
      dot.addTo(map);
    });

    if (picker && lat && lon) {
      if (lat.value && lon.value) mark([parseFloat(lat.value), parseFloat(lon.value)]);
      map.on("click", function (event) {
        choose(event, null);
      });
      if (clear) {
        clear.addEventListener("click", function () {
          if (marker) {
            map.removeLayer(marker);
            marker = null;
          }
        });
      }
    }
  }

  document.querySelectorAll("figure[data-tiles]").forEach(setUp);
})();
