/* The moderation queue: keyboard shortcuts while the queue has focus, and live updates.
 *
 * Shortcuts (listed on the page) act only when focus is inside the queue and never while
 * typing in a field. After an action the page reloads with the next post (or the one before,
 * after the last) named in `focus`, and that post gets the focus again, so the keys go on.
 * Enter in a reason field rejects that post (not the form's first button, "approve"). New held posts do not reshuffle the list under the moderator's
 * hands: a button says there are new ones and loads them when pressed.
 */
(function () {
  "use strict";

  var POLL_MS = 10000;
  var form = document.getElementById("moderation-queue");
  if (!form) { return; }
  var itemsBox = form.querySelector(".queue-items");
  var refresh = document.querySelector(".queue-refresh");
  var status = document.querySelector(".queue-live");
  var url = status.getAttribute("data-queue-url");

  function items() { return Array.prototype.slice.call(form.querySelectorAll(".queue-item")); }

  var focusField = form.querySelector("input[name=focus_next]");

  function neighbour(item) {
    var list = items();
    var index = list.indexOf(item);
    if (index < 0) { return null; }
    return list[index + 1] || list[index - 1] || null;
  }

  // Any per-post button: remember which post comes next, for the reloaded page.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=one]");
    if (!button || !focusField) { return; }
    var next = neighbour(button.closest(".queue-item"));
    focusField.value = next ? next.getAttribute("data-target") : "";
  });

  function focusNamed() {
    var name = form.getAttribute("data-focus");
    var item = name ? document.getElementById(name) : null;
    if (item) {
      item.focus();
      item.scrollIntoView({ block: "nearest" });
    } else if (name) {
      form.focus();
    }
  }
  focusNamed();

  function current() {
    var active = document.activeElement;
    return active ? active.closest(".queue-item") : null;
  }

  function move(step) {
    var list = items();
    if (!list.length) { return; }
    var index = list.indexOf(current());
    var next = list[Math.min(Math.max(index + step, 0), list.length - 1)] || list[0];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  form.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (event.key === "Enter" && event.target.classList.contains("queue-reason")) {
      var own = event.target.closest(".queue-item").querySelector("[data-key='r']");
      if (own) { event.preventDefault(); own.click(); }
      return;
    }
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var item = current();
    var key = event.key;
    if (key === "j") { move(1); event.preventDefault(); return; }
    if (key === "k") { move(-1); event.preventDefault(); return; }
    if (!item) { return; }
    if (key === "x") {
      var box = item.querySelector("input[type=checkbox]");
      box.checked = !box.checked;
      event.preventDefault();
      return;
    }
    if (key === "r") {
      var reason = item.querySelector(".queue-reason");
      if (!reason.value) { reason.focus(); event.preventDefault(); return; }
    }
    var target = item.querySelector("[data-key='" + key + "']");
    if (target) { event.preventDefault(); target.click(); }
  });

  function load() {
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        itemsBox.innerHTML = html;
        // The bulk actions are for posts: shown only while the queue holds some.
        var bulk = form.querySelector(".queue-bulk");
        if (bulk) { bulk.hidden = !itemsBox.querySelector(".queue-item"); }
        refresh.hidden = true;
        status.textContent = "";
        form.focus();
      });
  }

  function announce() {
    refresh.hidden = false;
    status.textContent = refresh.textContent;
  }

  refresh.addEventListener("click", load);

  if (window.SamskabLive && typeof window.SamskabLive.on === "function") {
    window.SamskabLive.on("queue", announce);
    window.SamskabLive.on("queue_done", function (data) {
      var item = document.getElementById("queue-" + String(data.id).replace(/[.:]/g, "-"));
      if (item && !item.contains(document.activeElement)) { item.remove(); }
    });
    return;
  }
  var known = items().map(function (i) { return 'id="' + i.id + '"'; }).join(",");
  window.setInterval(function () {
    if (document.hidden) { return; }
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var ids = (html.match(/id="queue-[\w-]+"/g) || []).join(",");
        if (ids && ids !== known) { announce(); }
      })
      .catch(function () {});
  }, POLL_MS);
})();
