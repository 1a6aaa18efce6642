// The feedback form in the player: send without leaving the page, so the video plays on.
// Without JavaScript the form posts and the page reloads; everything works the same.
(function () {
  "use strict";

  function failed(section) {
    // The text stays in the form; the viewer is told, and can press Send again.
    var note = section.querySelector("[data-feedback-failed]");
    if (!note) return;
    note.hidden = false;
    note.textContent = "";
    window.setTimeout(function () { note.textContent = note.dataset.text; }, 50);
  }

  function bind(section) {
    var form = section.querySelector("[data-feedback-form]");
    if (!form || form.dataset.bound) return;
    form.dataset.bound = "1";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true; // one message per press
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          var parsed = new DOMParser().parseFromString(html, "text/html");
          var fresh = parsed.querySelector("[data-feedback]");
          if (!fresh) { // not the form (a refused CSRF token, a server error): keep it
            if (button) button.disabled = false;
            failed(section);
            return;
          }
          fresh = document.importNode(fresh, true);
          section.replaceWith(fresh);
          bind(fresh);
          // The thanks, the form's error, or the first field to correct.
          var focus = fresh.querySelector("[data-feedback-focus]") ||
            fresh.querySelector("[aria-invalid=true]");
          if (focus) focus.focus();
        })
        .catch(function () {
          if (button) button.disabled = false;
          failed(section);
        });
    });
  }

  document.querySelectorAll("[data-feedback]").forEach(bind);
})();
