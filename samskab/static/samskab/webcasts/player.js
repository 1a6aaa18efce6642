/* The meeting player: HLS playback (hls.js, or the browser's own HLS), jumps from the
   agenda, the current item, speaker and slide as the video plays, live updates from the
   operator's marks (samskab/live.js), and click-to-load consent for YouTube and Facebook.
   Without this script the page still works: the agenda links reload the page at ?t=. */
(function () {
  "use strict";

  var root = document.querySelector("[data-player]");
  if (!root) {
    return;
  }
  var page = document.querySelector("[data-meeting-page]") || document.body;
  var video = root.querySelector("video[data-hls]");
  var consent = root.querySelector("[data-consent]");
  var announcer = root.querySelector("[data-player-announce]");
  var agenda = root.querySelector("[data-agenda]");
  var canSeek = root.getAttribute("data-can-seek") === "1";
  var isLive = root.getAttribute("data-live") === "1";
  var startAt = root.hasAttribute("data-start") ? parseInt(root.getAttribute("data-start"), 10) : null;
  var slides = readJson("slide-timeline") || [];
  var hls = null;

  function readJson(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function announce(text) {
    if (!announcer || !text) {
      return;
    }
    // Clear first so the same sentence twice is still read out.
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = text;
    }, 50);
  }

  function clock(ms) {
    var seconds = Math.floor(ms / 1000);
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var secs = seconds % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return hours ? hours + ":" + two(minutes) + ":" + two(secs) : minutes + ":" + two(secs);
  }

  function isoDuration(ms) {
    var seconds = Math.floor(ms / 1000);
    return "PT" + Math.floor(seconds / 3600) + "H" + Math.floor((seconds % 3600) / 60) + "M" + (seconds % 60) + "S";
  }

  /* --- video ------------------------------------------------------------------------ */

  function attachVideo() {
    if (!video) {
      return;
    }
    var url = video.getAttribute("data-hls");
    if (window.Hls && window.Hls.isSupported()) {
      var source = video.querySelector("[data-native-source]");
      if (source) {
        source.parentNode.removeChild(source);
      }
      // No worker: the CSP allows scripts from this site only, not blob: workers.
      hls = new window.Hls({
        enableWorker: false,
        startPosition: startAt !== null ? startAt : -1,
        liveDurationInfinity: true
      });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) {
          return;
        }
        if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) {
          // A live stream that has not started yet, or a dropped connection: try again.
          window.setTimeout(function () { hls.startLoad(); }, 5000);
        } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
          hls.recoverMediaError();
        }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    } else if (startAt !== null) {
      // The browser plays HLS itself (Safari); the <source> carries #t= as well.
      video.addEventListener("loadedmetadata", function () {
        if (video.currentTime < 1) {
          video.currentTime = startAt;
        }
      }, { once: true });
    }
    video.addEventListener("timeupdate", onTime);
    video.addEventListener("seeked", onTime);
  }

  function seek(seconds, label) {
    if (video) {
      video.currentTime = seconds;
      var playing = video.play();
      if (playing && playing.catch) {
        playing.catch(function () { /* autoplay refused: the viewer presses play */ });
      }
    } else if (consent) {
      var frame = consent.querySelector("iframe");
      if (!frame) {
        return false;
      }
      frame.src = youtubeSrc(seconds, true);
    } else {
      return false;
    }
    remember(seconds);
    announce(label ? root.getAttribute("data-playing-from").replace("{time}", clock(seconds * 1000)).replace("{what}", label) : "");
    return true;
  }

  function remember(seconds) {
    if (!window.history || !window.history.replaceState) {
      return;
    }
    var url = new URL(window.location.href);
    url.searchParams.set("t", String(seconds));
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  /* --- third-party players only after consent --------------------------------------- */

  function youtubeSrc(seconds, autoplay) {
    var base = consent.getAttribute("data-embed-src");
    var params = [];
    if (seconds) {
      params.push("start=" + Math.floor(seconds));
    }
    if (autoplay) {
      params.push("autoplay=1");
    }
    if (!consent.hasAttribute("data-youtube")) {
      return base;
    }
    return base + (params.length ? "?" + params.join("&") : "");
  }

  function consentKey() {
    return "samskab.consent." + consent.getAttribute("data-consent");
  }

  function loadEmbed(autoplay) {
    var frame = document.createElement("iframe");
    var start = consent.hasAttribute("data-start") ? parseInt(consent.getAttribute("data-start"), 10) : 0;
    frame.src = youtubeSrc(start, autoplay);
    frame.title = consent.getAttribute("data-embed-title");
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    var text = consent.querySelector(".video-consent-text");
    if (text) {
      text.parentNode.removeChild(text);
    }
    consent.classList.remove("video-consent");
    consent.appendChild(frame);
    if (autoplay) {
      frame.focus();
    }
  }

  function setUpConsent() {
    if (!consent) {
      return;
    }
    var remembered = false;
    try {
      remembered = window.localStorage.getItem(consentKey()) === "yes";
    } catch (error) { /* storage blocked: ask every time */ }
    if (remembered) {
      loadEmbed(false);
      return;
    }
    var button = consent.querySelector("[data-consent-load]");
    var rememberWrap = consent.querySelector("[data-consent-remember-wrap]");
    var rememberBox = consent.querySelector("[data-consent-remember]");
    button.hidden = false;
    rememberWrap.hidden = false;
    button.addEventListener("click", function () {
      if (rememberBox && rememberBox.checked) {
        try {
          window.localStorage.setItem(consentKey(), "yes");
        } catch (error) { /* not remembered */ }
      }
      loadEmbed(true);
    });
  }

  /* --- the agenda follows the video ------------------------------------------------- */

  function segmentsOf(item) {
    var text = item.getAttribute("data-segments") || "";
    return text.split(" ").filter(Boolean).map(function (pair) {
      var parts = pair.split("-");
      return { start: parseInt(parts[0], 10), end: parts[1] ? parseInt(parts[1], 10) : Infinity };
    });
  }

  function itemAt(ms) {
    var items = agenda ? agenda.querySelectorAll(".agenda-item") : [];
    for (var i = 0; i < items.length; i++) {
      var segments = segmentsOf(items[i]);
      for (var j = 0; j < segments.length; j++) {
        if (segments[j].start <= ms && ms < segments[j].end) {
          return items[i];
        }
      }
    }
    return null;
  }

  function turnAt(ms) {
    var turns = agenda ? agenda.querySelectorAll(".speaker-turn") : [];
    var found = null;
    for (var i = 0; i < turns.length; i++) {
      var start = parseInt(turns[i].getAttribute("data-start"), 10);
      var endText = turns[i].getAttribute("data-end");
      var end = endText ? parseInt(endText, 10) : Infinity;
      if (start <= ms && ms < end) {
        found = turns[i];
      }
    }
    return found;
  }

  function markCurrent(selector, element) {
    var old = agenda ? agenda.querySelectorAll(selector + ".is-current") : [];
    for (var i = 0; i < old.length; i++) {
      if (old[i] !== element) {
        old[i].classList.remove("is-current");
        var link = old[i].querySelector(".agenda-jump, .agenda-title");
        if (link && selector === ".agenda-item") {
          link.removeAttribute("aria-current");
        }
      }
    }
    if (element && !element.classList.contains("is-current")) {
      element.classList.add("is-current");
      var head = element.querySelector(".agenda-jump, .agenda-title");
      if (head && selector === ".agenda-item") {
        head.setAttribute("aria-current", "true");
      }
    }
  }

  var lastTick = -1;
  function onTime() {
    if (!video || isLive) {
      return; // live: the operator's marks say what is current
    }
    var ms = Math.floor(video.currentTime * 1000);
    if (Math.abs(ms - lastTick) < 250 && lastTick >= 0) {
      return;
    }
    lastTick = ms;
    var item = itemAt(ms);
    var turn = turnAt(ms);
    markCurrent(".agenda-item", item);
    markCurrent(".speaker-turn", turn);
    showNow({
      item: item ? {
        number: item.getAttribute("data-number"),
        title: item.getAttribute("data-title"),
        is_public: item.getAttribute("data-public") === "1"
      } : null,
      speaker: turn ? {
        name: turn.getAttribute("data-name"),
        party: turn.getAttribute("data-party"),
        role: turn.getAttribute("data-role"),
        start_ms: parseInt(turn.getAttribute("data-start"), 10)
      } : null
    });
    showSlide(slideAt(ms));
  }

  function slideAt(ms) {
    var shown = null;
    for (var i = 0; i < slides.length; i++) {
      if (slides[i].offset_ms <= ms) {
        shown = slides[i];
      }
    }
    // Slides belong to agenda items: none during a break, and a new item takes it away.
    if (!shown || !itemAt(ms)) {
      return null;
    }
    var items = agenda ? agenda.querySelectorAll(".agenda-item") : [];
    for (var k = 0; k < items.length; k++) {
      var segments = segmentsOf(items[k]);
      for (var j = 0; j < segments.length; j++) {
        if (segments[j].start > shown.offset_ms && segments[j].start <= ms) {
          return null;
        }
      }
    }
    return shown;
  }

  /* --- "now" panel ------------------------------------------------------------------- */

  var nowItem = root.querySelector("[data-now-item]");
  var nowSpeaker = root.querySelector("[data-now-speaker]");
  var nowClosed = root.querySelector("[data-now-closed]");
  var labels = {
    breakText: root.getAttribute("data-text-break"),
    closed: root.getAttribute("data-text-closed")
  };

  function setText(element, parts) {
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
    parts.forEach(function (part) {
      if (typeof part === "string") {
        element.appendChild(document.createTextNode(part));
      } else {
        element.appendChild(part);
      }
    });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  var shownSpeaker = null;
  function showNow(state) {
    if (nowClosed && "closed_session" in state) {
      // The operator's closed session: the stream shows the slate; say so in words too.
      nowClosed.hidden = !state.closed_session;
    }
    if (nowItem) {
      if (state.on_break) {
        setText(nowItem, [labels.breakText]);
      } else if (state.item) {
        // A closed item is shown by its number and the badge, never by a title.
        var parts = [state.item.number + ". " + state.item.title];
        if (state.item.is_public === false) {
          parts = [state.item.number + ". ", el("span", "badge badge-warning", labels.closed)];
        }
        setText(nowItem, parts);
      } else {
        setText(nowItem, [el("span", "now-empty", "–")]);
      }
    }
    if (nowSpeaker) {
      var speaker = state.speaker;
      var key = speaker ? speaker.name + "|" + (speaker.start_ms || "") : "";
      if (key === shownSpeaker) {
        return;
      }
      shownSpeaker = key;
      if (speaker) {
        var line = [el("strong", "", speaker.name)];
        if (speaker.party) {
          line.push(" (" + speaker.party + ")");
        }
        if (speaker.role) {
          line.push(", " + speaker.role);
        }
        setText(nowSpeaker, line);
        nowSpeaker.setAttribute("data-start", speaker.start_ms != null ? String(speaker.start_ms) : "");
      } else {
        setText(nowSpeaker, [el("span", "now-empty", "–")]);
        nowSpeaker.removeAttribute("data-start");
      }
      document.dispatchEvent(new CustomEvent("samskab:speaker", { detail: speaker }));
    }
  }

  /* --- slide ------------------------------------------------------------------------- */

  var slideView = root.querySelector("[data-slide-view]");
  var shownSlide = null;
  function showSlide(slide) {
    if (!slideView) {
      return;
    }
    var key = slide ? slide.image_url : "";
    if (key === shownSlide) {
      return;
    }
    shownSlide = key;
    if (!slide || !slide.image_url) {
      slideView.hidden = true;
      return;
    }
    var caption = slideView.querySelector("[data-slide-caption-template]").innerHTML
      .replace("{number}", String(slide.number)).replace("{deck}", slide.deck_title);
    var holder = document.createElement("div");
    holder.innerHTML = caption; // our own translated template; values are set as text below
    var text = holder.textContent;
    var image = slideView.querySelector("[data-slide-image]");
    if (!image) {
      image = el("img", "slide-image");
      image.setAttribute("data-slide-image", "");
      var figure = slideView.querySelector("figure");
      figure.insertBefore(image, figure.firstChild);
    }
    image.src = slide.image_url;
    image.alt = text;
    slideView.querySelector("[data-slide-caption]").textContent = text;
    var pdf = slideView.querySelector("[data-slide-pdf]");
    if (pdf) {
      if (slide.pdf_url) {
        pdf.href = slide.pdf_url;
      } else if (slide.deck) {
        pdf.href = slideView.getAttribute("data-pdf-template").replace("/0/pdf/", "/" + slide.deck + "/pdf/");
      }
    }
    slideView.hidden = false;
  }

  /* --- jumps from the agenda --------------------------------------------------------- */

  function setUpAgenda() {
    if (!agenda || !canSeek) {
      return;
    }
    agenda.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-offset]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      var seconds = Math.floor(parseInt(link.getAttribute("data-offset"), 10) / 1000);
      if (seek(seconds, link.textContent.replace(/\s+/g, " ").trim())) {
        event.preventDefault();
        showPlayer();
      }
    });
  }

  // On a phone the agenda sits below the video: after a jump, bring the video back into
  // view if it is out of sight, so the viewer sees what plays (the focus stays on the link).
  function showPlayer() {
    var frame = video || consent;
    if (!frame || !frame.getBoundingClientRect) {
      return;
    }
    var box = frame.getBoundingClientRect();
    if (box.bottom < box.height / 2 || box.top > window.innerHeight - box.height / 2) {
      frame.scrollIntoView({ block: "start" });
    }
  }

  /* --- live: the operator's marks ---------------------------------------------------- */

  function itemElement(id) {
    return agenda ? agenda.querySelector('.agenda-item[data-item="' + id + '"]') : null;
  }

  function openSegment(item, offset) {
    var segments = item.getAttribute("data-segments") || "";
    // Close any other open segment, then open one on this item.
    var all = agenda.querySelectorAll(".agenda-item");
    for (var i = 0; i < all.length; i++) {
      var text = all[i].getAttribute("data-segments") || "";
      if (/-$/.test(text) && all[i] !== item) {
        all[i].setAttribute("data-segments", text + offset);
      }
    }
    if (!/-$/.test(segments)) {
      item.setAttribute("data-segments", (segments ? segments + " " : "") + offset + "-");
    }
    if (item.classList.contains("is-pending") && item.getAttribute("data-public") === "1") {
      item.classList.remove("is-pending");
      var head = item.querySelector(".agenda-head");
      var title = head.querySelector(".agenda-title");
      if (canSeek && title) {
        var link = el("a", "agenda-jump");
        link.href = root.getAttribute("data-page-url") + "?t=" + Math.floor(offset / 1000);
        link.setAttribute("data-offset", String(offset));
        while (title.firstChild) {
          link.appendChild(title.firstChild);
        }
        head.replaceChild(link, title);
      }
      var time = el("time", "agenda-time", clock(offset));
      time.setAttribute("datetime", isoDuration(offset));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(time);
    }
  }

  function addTurn(item, speaker, offset) {
    var list = item ? item.querySelector("[data-speaker-list]") : null;
    var template = agenda.querySelector("[data-turn-template]");
    if (!list || !template) {
      return null;
    }
    var previous = agenda.querySelector(".speaker-turn.is-current");
    if (previous && !previous.getAttribute("data-end")) {
      previous.setAttribute("data-end", String(offset));
    }
    var turn = template.content.firstElementChild.cloneNode(true);
    turn.setAttribute("data-start", String(offset));
    turn.setAttribute("data-name", speaker.name);
    turn.setAttribute("data-party", speaker.party || "");
    turn.setAttribute("data-role", speaker.role || "");
    var name = turn.querySelector(".speaker-jump, .speaker-name");
    name.textContent = speaker.name + (speaker.party ? " (" + speaker.party + ")" : "");
    if (name.tagName === "A") {
      name.href = root.getAttribute("data-page-url") + "?t=" + Math.floor(offset / 1000);
      name.setAttribute("data-offset", String(offset));
    }
    var time = turn.querySelector("time");
    time.textContent = clock(offset);
    time.setAttribute("datetime", isoDuration(offset));
    list.appendChild(turn);
    list.hidden = false;
    return turn;
  }

  function refreshAgenda(also) {
    // An undo or a correction changes earlier entries: take the index from the server.
    window.fetch(window.location.pathname, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-agenda-list]");
        var current = agenda.querySelector("[data-agenda-list]");
        if (fresh && current) {
          current.parentNode.replaceChild(document.importNode(fresh, true), current);
        }
        if (also) {
          also(html);
        }
      })
      .catch(function () { /* the next mark or a reload brings it */ });
  }

  function setStatus(status) {
    page.setAttribute("data-status", status);
    var badge = document.querySelector("[data-status-badge]");
    if (badge && root.getAttribute("data-status-" + status)) {
      badge.textContent = root.getAttribute("data-status-" + status);
      badge.className = "badge" + (status === "live" ? " badge-error badge-live" : "");
    }
    var notice = document.querySelector("[data-planned-notice]");
    if (notice && status !== "planned") {
      notice.parentNode.removeChild(notice);
    }
    if (status !== "planned") {
      Array.prototype.forEach.call(document.querySelectorAll("[data-until-live]"), function (box) {
        box.hidden = false;
        box.removeAttribute("data-until-live");
      });
    }
  }

  function onMark(data) {
    if (!data) {
      return;
    }
    if (typeof data === "string") {
      try {
        data = JSON.parse(data);
      } catch (error) {
        return;
      }
    }
    if (data.detail && !data.action) {
      data = data.detail;
    }
    var mark = data.mark || {};
    if (data.action === "start") {
      isLive = true;
      root.setAttribute("data-live", "1");
      setStatus("live");
      announce(root.getAttribute("data-text-started"));
      if (hls) {
        hls.startLoad();
      }
    } else if (data.action === "end") {
      setStatus("ended");
      announce(root.getAttribute("data-text-ended"));
    }
    if (data.action === "undo" || data.action === "correct") {
      refreshAgenda(null);
    } else if (agenda && mark.kind === "item" && data.item) {
      var item = itemElement(data.item.id);
      if (item) {
        openSegment(item, mark.offset_ms);
        markCurrent(".agenda-item", item);
        markCurrent(".speaker-turn", null);
      }
    } else if (agenda && mark.kind === "speaker" && data.speaker) {
      var current = data.item ? itemElement(data.item.id) : null;
      var turn = addTurn(current, data.speaker, mark.offset_ms);
      markCurrent(".speaker-turn", turn);
    } else if (agenda && mark.kind === "break") {
      markCurrent(".speaker-turn", null);
    }
    var speaker = data.speaker ? {
      name: data.speaker.name,
      party: data.speaker.party,
      role: data.speaker.role,
      start_ms: mark.kind === "speaker" ? mark.offset_ms : null
    } : null;
    var before = shownSpeaker;
    showNow({ item: data.item, speaker: speaker, on_break: data.on_break, closed_session: Boolean(data.closed_session) });
    if (data.action === "add" && mark.kind === "speaker" && speaker && before !== shownSpeaker) {
      announce(root.getAttribute("data-text-speaking").replace("{name}", speaker.name));
    } else if (data.action === "add" && mark.kind === "item" && data.item) {
      announce(root.getAttribute("data-text-item").replace("{item}", data.item.number + ". " + data.item.title));
    }
    showSlide(data.slide);
  }

  function refreshNow(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    ["[data-now-item]", "[data-now-speaker]"].forEach(function (selector) {
      var from = fresh.querySelector(selector);
      var to = root.querySelector(selector);
      if (from && to) {
        to.innerHTML = from.innerHTML;
      }
    });
    shownSpeaker = null;
  }

  function setUpLive() {
    if (!document.querySelector("[data-live-channel]")) {
      return;
    }
    var subscribe = function () {
      if (!window.SamskabLive || typeof window.SamskabLive.on !== "function") {
        return false;
      }
      window.SamskabLive.on("mark", onMark);
      // The stream could not replay what this page missed: fetch the index again rather
      // than reload the page, so the video keeps playing.
      window.SamskabLive.on("reload", function () {
        refreshAgenda(refreshNow);
      });
      return true;
    };
    if (!subscribe()) {
      // live.js is loaded with defer too; it may run after this file.
      document.addEventListener("DOMContentLoaded", subscribe, { once: true });
    }
  }

  /* --- copy boxes (the embed code) --------------------------------------------------- */

  function setUpCopyBoxes() {
    var boxes = document.querySelectorAll("[data-copy-box]");
    Array.prototype.forEach.call(boxes, function (box) {
      var button = box.querySelector("[data-copy-button]");
      var source = box.querySelector("[data-copy-source]");
      var status = box.querySelector("[data-copy-status]");
      button.hidden = false;
      button.addEventListener("click", function () {
        window.SamskabCopy(source, status);
      });
    });
  }

  function markLiveTurn() {
    // The page was rendered during the meeting: the newest turn of the running item is
    // the one being spoken, if it is the speaker the "now" panel names.
    if (!isLive || !agenda || !nowSpeaker) {
      return;
    }
    var turns = agenda.querySelectorAll(".agenda-item.is-current .speaker-turn");
    var last = turns.length ? turns[turns.length - 1] : null;
    var strong = nowSpeaker.querySelector("strong");
    if (last && !last.getAttribute("data-end") && strong &&
        strong.textContent === last.getAttribute("data-name")) {
      markCurrent(".speaker-turn", last);
      nowSpeaker.setAttribute("data-start", last.getAttribute("data-start"));
    }
  }

  attachVideo();
  markLiveTurn();
  setUpConsent();
  setUpAgenda();
  setUpLive();
  setUpCopyBoxes();
  if (startAt !== null && !video) {
    remember(startAt);
  }
  window.SamskabPlayer = {
    currentTime: function () { return video ? video.currentTime : null; },
    seek: seek,
    onMark: onMark
  };
})();
