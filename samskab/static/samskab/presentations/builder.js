// The presentation builder on top of its plain forms: drag and drop (SortableJS) from the
// catalogue into the steps and between steps, and autosave of the step forms. Every change
// is posted with fetch to the same addresses the forms use; the answer carries the new
// revision, which every form then sends, so a save from a stale page is refused.
(function () {
  "use strict";
  var root = document.querySelector("[data-builder]");
  if (!root) return;
  var status = root.querySelector("[data-save-status]");
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var revision = root.dataset.revision;

  function say(text) { if (status) status.textContent = text; }
  function setRevision(value) {
    if (value === undefined || value === null) return;
    revision = String(value);
    root.dataset.revision = revision;
    root.querySelectorAll("[data-revision-field]").forEach(function (field) { field.value = revision; });
  }
  function post(url, body, json) {
    var headers = { "X-CSRFToken": csrf, "X-Requested-With": "fetch" };
    if (json) headers["Content-Type"] = "application/json";
    return fetch(url, { method: "POST", headers: headers, body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (data) {
          setRevision(data.revision);
          if (!response.ok) throw new Error(data.message || response.statusText);
          refreshPreview(data.revision);
          return data;
        });
      });
  }
  // The live preview: both frames show the draft again after every save, this page's own
  // (at once) and any other editor's (the `saved` event of the presentation's live channel).
  // A frame stays on the step it shows; a step removed meanwhile starts it from the top.
  var frames = root.querySelectorAll("[data-preview-frame]");
  var shown = Number(revision);
  var pending = null;
  function refreshPreview(saved) {
    var value = Number(saved);
    if (saved !== undefined && saved !== null && !(value > shown)) return;
    if (value > shown) shown = value;
    clearTimeout(pending);
    pending = setTimeout(function () {
      frames.forEach(function (frame) {
        var start = frame.getAttribute("src");
        try {
          var location = frame.contentWindow.location;
          if (location.href === "about:blank") throw new Error("not loaded");
          location.reload();
        } catch (error) {
          frame.src = start;
        }
      });
    }, 250);
  }
  frames.forEach(function (frame) {
    frame.addEventListener("load", function () {
      try {
        var page = frame.contentDocument;
        var start = frame.getAttribute("src");
        var here = frame.contentWindow.location;
        if (page && !page.querySelector(".presentation") && here.pathname + here.search !== start) {
          frame.src = start;
        }
      } catch (error) { /* not ours to read */ }
    });
  });
  if (window.SamskabLive) {
    window.SamskabLive.on("saved", function (data) { refreshPreview(data && data.revision); });
    // Events missed while disconnected: show the draft as it is now (not a page reload,
    // which would lose what the editor is typing).
    window.SamskabLive.on("reload", function () { refreshPreview(null); });
  }

  function savedNow(message) {
    var time = new Date().toLocaleTimeString(document.documentElement.lang || "da", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    say((message || root.dataset.savedText || "Gemt") + " " + time);
  }

  // Autosave: a step's form (and the title form) is saved a second after typing stops.
  root.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var timer = null;
    function save() {
      var body = new FormData(form);
      body.set("revision", revision);
      post(form.action, body, false).then(function (data) { savedNow(data.message); })
        .catch(function (error) { say(error.message); });
    }
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(save, 1000);
    });
    form.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT" || event.target.type === "checkbox") {
        clearTimeout(timer);
        save();
      }
    });
  });

  var list = root.querySelector("[data-steps]");
  var catalogue = root.querySelector("[data-catalogue]");
  if (!window.Sortable || !list) return;
  function keys() {
    return Array.prototype.map.call(list.querySelectorAll(":scope > li[data-key]"), function (li) { return li.dataset.key; });
  }
  window.Sortable.create(list, {
    group: { name: "steps", pull: false, put: ["catalogue"] },
    handle: ".step-head",
    animation: 120,
    // Mouse and touch events rather than the browser's own drag and drop: the same on
    // phones, tablets and desktops.
    forceFallback: true,
    emptyInsertThreshold: 40,
    onAdd: function (event) {
      var item = event.item;
      var previous = item.previousElementSibling;
      var body = new FormData();
      body.set("element", item.dataset.element);
      body.set("after", previous && previous.dataset.key ? previous.dataset.key : "");
      body.set("revision", revision);
      say("…");
      post(root.dataset.addUrl, body, false)
        .then(function () { window.location.reload(); })
        .catch(function (error) { item.remove(); say(error.message); });
    },
    onUpdate: function () {
      post(root.dataset.reorderUrl, JSON.stringify({ keys: keys(), revision: Number(revision) }), true)
        .then(function (data) {
          list.querySelectorAll(":scope > li[data-key] .step-number").forEach(function (span, index) {
            span.textContent = (index + 1) + ".";
          });
          savedNow(data.message);
        })
        .catch(function (error) { say(error.message); });
    },
  });
  if (catalogue) {
    window.Sortable.create(catalogue, {
      group: { name: "catalogue", pull: "clone", put: false },
      sort: false,
      forceFallback: true,
      filter: "form, select, button, input",
      preventOnFilter: false,
      animation: 120,
    });
  }
})();
