// Vox pops and poll pages: vote without leaving the page, follow the live result.
// Without JavaScript the form posts and the page reloads; everything works the same.
(function () {
  "use strict";

  function updateResults(box, tally) {
    if (!tally || !tally.questions) return;
    tally.questions.forEach(function (question) {
      var table = box.querySelector('[data-question="' + question.id + '"]');
      if (!table) return;
      var caption = table.querySelector("caption");
      if (caption) caption.textContent = caption.textContent.replace(/\d+(?=\D*$)/, String(question.total));
      question.options.forEach(function (option) {
        var row = table.querySelector('[data-option="' + option.id + '"]');
        if (!row) return;
        row.querySelector("[data-votes]").textContent = String(option.votes);
        row.querySelector("[data-percent]").textContent = option.percent + " %";
        var bar = row.querySelector("progress");
        if (bar) bar.value = option.percent;
      });
    });
  }

  function onEvent(box, type, data) {
    if (type === "tally") updateResults(box, data);
    if (type === "status") {
      if (data.tally) updateResults(box, data.tally);
      if (data.status === "closed") {
        var form = box.querySelector("[data-poll-form]");
        if (form) form.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
      }
    }
  }

  function follow(box) {
    var url = box.dataset.liveUrl;
    if (!url || box.dataset.following) return;
    box.dataset.following = "1";
    var last = box.dataset.liveLastId || "";
    if (window.EventSource) {
      var source = new EventSource(url + (last ? "?lastEventId=" + encodeURIComponent(last) : ""));
      ["tally", "status"].forEach(function (type) {
        source.addEventListener(type, function (event) {
          onEvent(box, type, JSON.parse(event.data));
        });
      });
      source.onerror = function () {
        if (source.readyState === EventSource.CLOSED) poll(box, last);
      };
    } else {
      poll(box, last);
    }
  }

  function poll(box, after) {
    var url = box.dataset.livePollUrl;
    if (!url) return;
    fetch(url + "?after=" + encodeURIComponent(after || ""), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        (body.events || []).forEach(function (event) { onEvent(box, event.event, event.data); });
        window.setTimeout(function () { poll(box, body.last_id); }, body.interval_ms || 5000);
      })
      .catch(function () { window.setTimeout(function () { poll(box, after); }, 10000); });
  }

  function bind(box) {
    var form = box.querySelector("[data-poll-form]");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
        })
          .then(function (response) { return response.text(); })
          .then(function (html) {
            var holder = document.createElement("div");
            holder.innerHTML = html;
            var fresh = holder.querySelector("[data-poll-box]");
            if (!fresh) { form.submit(); return; }
            box.replaceWith(fresh);
            bind(fresh);
            var message = fresh.querySelector("[data-poll-message]");
            if (message) message.focus();
          })
          .catch(function () { form.submit(); });
      });
    }
    follow(box);
  }

  document.querySelectorAll("[data-poll-box]").forEach(bind);
})();
