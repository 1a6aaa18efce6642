/* The operator console: marks sent without a reload, and keyboard shortcuts.
   Shortcuts only move the focus (Enter or Space then sets the mark), and they work only
   while the focus is inside the console and not in a field, so they never fight a
   screen reader's own keys or a stray keypress. Without this script every button is a
   plain form that posts and comes back to the console. */
(function () {
  "use strict";

  var root = document.querySelector("[data-console]");
  if (!root) {
    return;
  }
  var nowBox = root.querySelector("[data-console-now]");
  var digits = "";
  var digitTimer = null;

  function buttonsIn(name) {
    var list = root.querySelector('[data-console-list="' + name + '"]');
    return list ? Array.prototype.slice.call(list.querySelectorAll("button")) : [];
  }

  function focusIn(name) {
    var buttons = buttonsIn(name);
    var current = buttons.filter(function (b) { return b.classList.contains("is-current"); })[0];
    var target = current || buttons[0];
    if (target) {
      target.focus();
    }
  }

  function move(step) {
    var list = document.activeElement ? document.activeElement.closest("[data-console-list]") : null;
    if (!list) {
      focusIn("agenda");
      return;
    }
    var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
    var index = buttons.indexOf(document.activeElement);
    var next = buttons[Math.min(buttons.length - 1, Math.max(0, index + step))];
    if (next) {
      next.focus();
    }
  }

  function itemButton(number) {
    return root.querySelector('[data-item-number="' + number + '"]');
  }

  function goToItem(number) {
    var match = itemButton(number);
    if (match) {
      match.focus();
    }
  }

  function isTyping(target) {
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  root.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || isTyping(event.target)) {
      return;
    }
    var key = event.key;
    var handled = true;
    if (!/^[0-9]$/.test(key)) {
      digits = "";
    }
    if (key === "j" || key === "ArrowDown") {
      move(1);
    } else if (key === "k" || key === "ArrowUp") {
      move(-1);
    } else if (/^[0-9]$/.test(key)) {
      // Digits typed within a second make one number ("1", "2": item 12); a number no
      // item has starts again from this digit.
      digits = itemButton(digits + key) ? digits + key : key;
      window.clearTimeout(digitTimer);
      digitTimer = window.setTimeout(function () { digits = ""; }, 1000);
      goToItem(digits);
    } else if (key === "a") {
      focusIn("agenda");
    } else if (key === "s") {
      focusIn("speakers");
    } else if (key === "d") {
      focusIn("slides");
    } else if (key === "p" || key === "u" || key === "c") {
      var button = root.querySelector('[data-shortcut="' + key + '"]');
      if (button) {
        button.focus();
      }
    } else if (key === "?") {
      var help = document.getElementById("console-help-heading");
      help.setAttribute("tabindex", "-1");
      help.focus();
    } else {
      handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });

  function markCurrent(panel) {
    var section = panel.querySelector("[data-current-item]");
    if (!section) {
      return;
    }
    var item = section.getAttribute("data-current-item");
    var person = section.getAttribute("data-current-person");
    Array.prototype.forEach.call(root.querySelectorAll('[data-console-list="agenda"] form, [data-console-list="speakers"] form'), function (form) {
      var itemField = form.querySelector('input[name="item"]');
      var personField = form.querySelector('input[name="person"]');
      var isCurrent = (itemField && itemField.value === item) || (personField && personField.value === person);
      var button = form.querySelector("button");
      button.classList.toggle("is-current", Boolean(isCurrent));
      if (isCurrent) {
        button.setAttribute("aria-current", "true");
      } else {
        button.removeAttribute("aria-current");
      }
    });
  }

  function replaceNow(html, focusSlide) {
    nowBox.innerHTML = html;
    markCurrent(nowBox);
    if (focusSlide) {
      var again = nowBox.querySelector('input[name="slide"][value="' + focusSlide + '"]');
      if (again) {
        again.form.querySelector("button").focus();
      }
    }
  }

  function send(form) {
    var slideField = form.querySelector('input[name="slide"]');
    var focusSlide = slideField ? slideField.value : null;
    var button = form.querySelector("button");
    button.setAttribute("aria-busy", "true");
    return window.fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (text) {
        if (response.status === 200 || response.status === 400) {
          replaceNow(text, focusSlide);
          if (button.hasAttribute("data-shortcut") && button.getAttribute("data-shortcut") === "c") {
            // The closed-session button was replaced by its opposite: keep the focus on it.
            var again = nowBox.querySelector('[data-shortcut="c"]');
            if (again) {
              again.focus();
            }
          }
        } else {
          form.submit(); // something unexpected: let the server answer as a page
        }
      });
    }).catch(function () {
      form.submit();
    }).then(function () {
      button.removeAttribute("aria-busy");
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (!form.hasAttribute("data-console-form") || !window.fetch) {
      return;
    }
    event.preventDefault();
    send(form);
  });

  // Another operator (or the conference system) may set marks too: follow them. Never pull
  // a button from under the operator's focus (they may be about to press Enter on it): while
  // the focus is in the box, the update waits until it leaves. The focus is checked again
  // when the answer comes, as the operator may have moved into the box meanwhile.
  var refreshTimer = null;
  var refreshWaiting = false;
  // The answer to the operator's own last action ("Marked: …", a status message) stays when
  // the box is refreshed for a mark, their own echoed back a moment later included: the
  // refreshed box carries the state, not what they just did. (It vanished 0.3 s after it was
  // said, before a screen reader or a busy operator had read it.)
  function refreshNow(html) {
    var done = nowBox.querySelector(".console-done");
    replaceNow(html, null);
    var heading = nowBox.querySelector("h2");
    if (done && heading && !nowBox.querySelector(".console-done")) {
      heading.insertAdjacentElement("afterend", done);
    }
  }
  function refresh() {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(function () {
      if (nowBox.contains(document.activeElement)) {
        refreshWaiting = true;
        return;
      }
      window.fetch(root.getAttribute("data-now-url"), { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) {
            return;
          }
          if (nowBox.contains(document.activeElement)) {
            refreshWaiting = true;
            return;
          }
          refreshNow(html);
        })
        .catch(function () { /* next mark */ });
    }, 300);
  }
  if (nowBox) {
    nowBox.addEventListener("focusout", function (event) {
      if (refreshWaiting && !nowBox.contains(event.relatedTarget)) {
        refreshWaiting = false;
        refresh();
      }
    });
  }

  // How many are watching: asked every 15 seconds while the meeting is live.
  var viewersUrl = root.getAttribute("data-viewers-url");
  function askViewers() {
    window.fetch(viewersUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        var cell = root.querySelector("[data-console-viewers]");
        if (data && cell && typeof data.viewers === "number") {
          cell.textContent = String(data.viewers);
        }
      })
      .catch(function () { /* next time */ });
  }
  if (viewersUrl && window.fetch) {
    window.setInterval(askViewers, 15000);
  }

  // The preview: what the public gets, through the player's hls.js, kept near the live edge
  // (low-latency mode where the stream offers LL-HLS parts, else two segments behind).
  var preview = root.querySelector("video[data-preview]");
  var previewState = root.querySelector("[data-preview-state]");
  function say(text) {
    if (previewState && previewState.textContent !== text) {
      previewState.textContent = text;
    }
  }
  function startPreview() {
    var source = preview.getAttribute("data-preview");
    var playing = function () {
      var attempt = preview.play();
      if (attempt && attempt.catch) {
        attempt.catch(function () { /* muted autoplay refused: the controls are there */ });
      }
    };
    preview.muted = true;
    if (window.Hls && window.Hls.isSupported()) {
      var native = preview.querySelector("[data-native-source]");
      if (native) {
        native.parentNode.removeChild(native);
      }
      var hls = new window.Hls({
        enableWorker: false,
        lowLatencyMode: true,
        liveSyncDurationCount: 2,
        liveMaxLatencyDurationCount: 5,
        backBufferLength: 30
      });
      var retry = null;
      var isLive = false;
      hls.on(window.Hls.Events.LEVEL_LOADED, function (event, data) {
        isLive = Boolean(data.details && data.details.live);
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        say(preview.getAttribute("data-playing-text") || "");
        playing();
      });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) {
          return;
        }
        say(preview.getAttribute("data-waiting-text") || "");
        window.clearTimeout(retry);
        retry = window.setTimeout(function () {
          hls.loadSource(source); // the encoder may start later: try again
        }, 5000);
      });
      hls.loadSource(source);
      hls.attachMedia(preview);
      window.setInterval(function () {
        if (isLive && typeof hls.latency === "number" && hls.latency > 0 && !preview.paused) {
          var text = preview.getAttribute("data-latency-text") || "{s}";
          say(text.replace("{s}", String(Math.round(hls.latency))));
        }
      }, 2000);
    } else {
      playing();
    }
  }
  if (preview) {
    startPreview();
  }

  function subscribe() {
    if (!root.querySelector("[data-live-channel]") || !window.SamskabLive) {
      return false;
    }
    window.SamskabLive.on("mark", refresh);
    window.SamskabLive.on("reload", refresh);
    return true;
  }
  if (!subscribe()) {
    document.addEventListener("DOMContentLoaded", subscribe, { once: true });
  }
})();
