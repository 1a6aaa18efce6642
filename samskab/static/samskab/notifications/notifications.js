/* The header's unread count, pushed by the notifications app on the person's own live
 * channel (`unread` events: {count}). Every copy of the badge (header and menu drawer). */
(function () {
  "use strict";
  function start() {
    if (!window.SamskabLive) { return; }
    window.SamskabLive.on("unread", function (data) {
      if (!data || typeof data.count !== "number") { return; }
      var badges = document.querySelectorAll("[data-notifications-badge]");
      for (var i = 0; i < badges.length; i++) {
        var number = badges[i].querySelector("[data-notifications-count]");
        if (number) { number.textContent = String(data.count); }
        if (data.count > 0) {
          badges[i].removeAttribute("hidden");
        } else {
          badges[i].setAttribute("hidden", "");
        }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
