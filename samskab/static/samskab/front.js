// The front page: when `site:front` says a meeting went live or ended, redraw the named
// sections from /forside/<key>/ in the visitor's language. Without JavaScript a reload does it.
(function () {
  "use strict";

  function redraw(key) {
    var box = document.querySelector('[data-front-section="' + key + '"]');
    if (!box || !window.fetch) return;
    window.fetch(box.getAttribute("data-front-url"), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var wasEmpty = !box.textContent.trim();
        box.innerHTML = html;
        // A meeting that just went live is news; say so politely.
        if (key === "live" && wasEmpty && html.trim()) {
          var heading = box.querySelector("h2");
          var title = box.querySelector("h3");
          window.SamskabLive.announce((heading ? heading.textContent.trim() : "") +
            (title ? ": " + title.textContent.trim() : ""));
        }
      })
      .catch(function () { /* the next event or a reload brings it */ });
  }

  if (!window.SamskabLive) return;
  window.SamskabLive.on("front", function (data) {
    var keys = (data && data.sections) || [];
    for (var i = 0; i < keys.length; i++) redraw(keys[i]);
  });
})();
