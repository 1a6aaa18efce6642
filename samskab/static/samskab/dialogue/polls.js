// Vox pops and poll pages: vote without leaving the page, follow the live result.
// Without JavaScript the form posts and the page reloads; everything works the same.
(function () {
  "use strict";

  function updateResults(box, tally) {
    if (!tally || !tally.questions) return;
    tally.questions.forEach(function (question) {
      var table = box.querySelector('[data-question="' + question.id + '"]');
      if (!table) return;
      // The words come from the page, in the viewer's language: "1 vote", "2 votes".
      var total = table.querySelector("[data-total]");
      if (total) {
        var form = question.total === 1 ? total.dataset.textOne : total.dataset.textOther;
        total.textContent = form.replace(/\d+/, String(question.total));
      }
      question.options.forEach(function (option) {
        var row = table.querySelector('[data-option="' + option.id + '"]');
        if (!row) return;
        row.querySelector("[data-votes]").textContent = String(option.votes);
        // One decimal, written as the page's language writes it ("50,0 %" in Danish).
        row.querySelector("[data-percent]").textContent = Number(option.percent).toLocaleString(
          document.documentElement.lang || undefined,
          { minimumFractionDigits: 1, maximumFractionDigits: 1 }
        ) + " %";
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
    // This box has its own stream: live.js (run after this file) need not open another.
    box.removeAttribute("data-live-channel");
    var last = box.dataset.liveLastId || "";
    if (window.EventSource) {
      var source = new EventSource(url + (last ? "?lastEventId=" + encodeURIComponent(last) : ""));
      box.pollSource = source; // closed when the box is replaced (see replace)
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
    if (!url || !document.body.contains(box)) return; // a replaced box stops asking
    fetch(url + "?after=" + encodeURIComponent(after || ""), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        (body.events || []).forEach(function (event) { onEvent(box, event.event, event.data); });
        window.setTimeout(function () { poll(box, body.last_id); }, body.interval_ms || 5000);
      })
      .catch(function () { window.setTimeout(function () { poll(box, after); }, 10000); });
  }

  /* A box gives way to a fresh one (after a vote, or when the operator opens or closes
     it): its stream is closed, or every vote and every vox pop would leave one open (a
     browser allows six connections per site over HTTP/1.1, and the video needs them),
     and the keyboard focus moves to the fresh box's message instead of being lost. */
  function replace(box, fresh, focus) {
    var hadFocus = focus || box.contains(document.activeElement);
    if (box.pollSource) box.pollSource.close();
    box.replaceWith(fresh);
    bind(fresh);
    if (hadFocus) {
      var message = fresh.querySelector("[data-poll-message]");
      if (message) message.focus();
    }
  }

  function bind(box) {
    var form = box.querySelector("[data-poll-form]");
    if (form) {
      var button = form.querySelector("button[type=submit]");
      /* Not a poll box back (a refused CSRF token on a page left open too long, a server
         error, no network): the viewer stays in the player with the choice kept, and is
         told what to do, where a plain post would have left the video for an error page. */
      var failed = function (text) {
        if (button) button.disabled = false;
        var message = box.querySelector("[data-poll-message]");
        if (!message) return;
        message.textContent = "";
        var line = document.createElement("p");
        line.className = "error";
        line.textContent = text;
        window.setTimeout(function () { message.appendChild(line); message.focus(); }, 50);
      };
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (button) button.disabled = true; // one vote per press
        fetch(form.action, {
          method: "POST",
          // URL-encoded, as the form posts without JavaScript (the fast vote path reads this).
          body: new URLSearchParams(new FormData(form)),
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
        })
          .then(function (response) {
            return response.text().then(function (html) { return { status: response.status, html: html }; });
          })
          .then(function (answer) {
            var holder = document.createElement("div");
            holder.innerHTML = answer.html;
            var fresh = holder.querySelector("[data-poll-box]");
            if (!fresh) {
              failed(answer.status === 403 ? form.dataset.textStale : form.dataset.textFailed);
              return;
            }
            replace(box, fresh, true); // the answer is read out where the Vote button was
          })
          .catch(function () { failed(form.dataset.textFailed); });
      });
    }
    follow(box);
  }

  document.querySelectorAll("[data-poll-box]").forEach(bind);

  /* The player: the operator opens or closes a vox pop; the meeting's channel says so
     ("poll" events) and the box is fetched for this viewer, so it appears without a reload. */
  var holder = document.querySelector("[data-voxpop]");

  function say(template, title) {
    if (template && window.SamskabLive && window.SamskabLive.announce) {
      window.SamskabLive.announce(template.replace("{title}", title || ""));
    }
  }

  function onPoll(data) {
    if (!holder || !data || !data.box_url) return;
    var existing = document.getElementById("poll-" + data.poll);
    if (data.status !== "open" && !existing) return;
    // The page the box is shown on: where its form returns when it must post without us.
    var url = data.box_url + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response); })
      .then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.querySelector("[data-poll-box]");
        if (!fresh) return;
        fresh = document.importNode(fresh, true);
        holder.hidden = false;
        if (existing) {
          replace(existing, fresh);
        } else {
          holder.appendChild(fresh);
          bind(fresh);
        }
        say(holder.getAttribute(data.status === "open" ? "data-text-opened" : "data-text-closed"), data.title);
      })
      .catch(function () { /* the next reload shows it */ });
  }

  function subscribe() {
    if (!holder || !window.SamskabLive || typeof window.SamskabLive.on !== "function") return false;
    window.SamskabLive.on("poll", onPoll);
    return true;
  }
  if (holder && !subscribe()) {
    // live.js is loaded with defer after this file.
    document.addEventListener("DOMContentLoaded", subscribe, { once: true });
  }
})();
