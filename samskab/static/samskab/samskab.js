// Samskab's start-up on every page: DKFDS's components (mobile menu, error summary, ...).
// Loaded with `defer` after dkfds.min.js, so the page is parsed and DKFDS is defined.
(function () {
  "use strict";

  if (window.DKFDS) {
    window.DKFDS.init();
  }

  // DKFDS names the overflow entry of the main menu in Danish; use the page's language.
  var navigation = document.querySelector(".navigation-menu[data-more-label]");
  var more = navigation && navigation.querySelector(".more-button span");
  if (more) {
    more.textContent = navigation.getAttribute("data-more-label");
  }
})();
