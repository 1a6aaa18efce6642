// The recording page asks before what cannot be undone or takes the video off the site at
// once (removing a range, hiding): a form's data-confirm is the question. Without script
// the form is sent as it is; replacing the video asks with a box to tick instead.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
