/* First-party usage statistics for the meeting player (samskab.stats, issue 25).
   While the video plays, a heartbeat every 15 seconds says where in the recording the viewer
   is and how many seconds were watched since the last one; play, jumps to agenda items,
   shares and an embedded player's load are sent as events; on a clip's own page, that the
   clip was viewed. Nothing is sent to anyone but this site, no cookie is set by this script,
   and the page works the same without it. */
(function () {
  "use strict";

  var config = document.querySelector("[data-stats-beacon]");
  if (!config) {
    return;
  }
  var endpoint = config.getAttribute("data-endpoint");
  var ticket = config.getAttribute("data-ticket");

  function post(data) {
    var body = JSON.stringify(data);
    try {
      // text/plain: a simple request, no preflight; the server reads the JSON itself.
      if (navigator.sendBeacon && navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain" }))) {
        return;
      }
      window.fetch(endpoint, { method: "POST", body: body, keepalive: true, credentials: "same-origin",
        headers: { "Content-Type": "text/plain" } }).catch(function () { /* not counted */ });
    } catch (error) { /* statistics never break the player */ }
  }

  // A clip's own page: one "clip viewed" when it first plays, naming the clip (not the viewer).
  var clipVideo = document.querySelector("video[data-stats-clip]");
  if (clipVideo) {
    var clipPlayed = false;
    clipVideo.addEventListener("playing", function () {
      if (!clipPlayed) {
        clipPlayed = true;
        post({ t: ticket, k: "clip", s: 1, l: false, d: parseInt(clipVideo.getAttribute("data-stats-clip"), 10) });
      }
    });
    return;
  }

  var root = document.querySelector("[data-player]");
  if (!root) {
    return;
  }
  var video = root.querySelector("video");
  var page = document.querySelector("[data-meeting-page]");
  var HEARTBEAT_MS = 15000;
  var seq = 0;
  var watched = 0;
  var lastTime = null;
  var played = false;

  function isLive() {
    return page ? page.getAttribute("data-status") === "live" : root.getAttribute("data-live") === "1";
  }

  function position() {
    return video && isFinite(video.currentTime) ? Math.floor(video.currentTime) : null;
  }

  function send(kind, extra) {
    seq += 1;
    var data = { t: ticket, k: kind, s: seq, l: isLive() };
    var p = position();
    if (p !== null) {
      data.p = p;
    }
    for (var key in extra) {
      if (Object.prototype.hasOwnProperty.call(extra, key)) {
        data[key] = extra[key];
      }
    }
    post(data);
  }

  function heartbeat() {
    var seconds = Math.min(60, Math.round(watched));
    if (seconds < 1 || position() === null) {
      return;
    }
    watched -= seconds;
    send("hb", { w: seconds });
  }

  if (video) {
    video.addEventListener("playing", function () {
      if (!played) {
        played = true;
        send("play", {});
      }
    });
    // Count the seconds that really played: small steps of currentTime, not seeks.
    video.addEventListener("timeupdate", function () {
      var now = video.currentTime;
      if (lastTime !== null && !video.paused) {
        var step = now - lastTime;
        if (step > 0 && step < 2) {
          watched += step;
        }
      }
      lastTime = now;
    });
    video.addEventListener("seeking", function () { lastTime = null; });
    video.addEventListener("pause", heartbeat);
    window.setInterval(function () {
      if (!video.paused && !video.ended) {
        heartbeat();
      }
    }, HEARTBEAT_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        heartbeat();
      }
    });
  }

  var consentLoad = root.querySelector("[data-consent-load]");
  if (consentLoad) {
    consentLoad.addEventListener("click", function () {
      if (!played) {
        played = true;
        send("play", {});
      }
    });
  }

  // Jumps from the agenda: the item the chosen moment belongs to.
  root.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-offset]") : null;
    var item = link ? link.closest("[data-item]") : null;
    if (item) {
      send("jump", { d: parseInt(item.getAttribute("data-item"), 10) });
    }
  });

  // Shares: the network only (never the text or the address shared).
  document.addEventListener("click", function (event) {
    if (!event.target.closest) {
      return;
    }
    var target = event.target.closest("[data-share-target]");
    if (target) {
      var match = /share-(facebook|x|linkedin|bluesky|email)\b/.exec(target.className);
      if (match) {
        send("share", { d: match[1] });
      }
    } else if (event.target.closest("[data-share-copy]")) {
      send("share", { d: "copy" });
    }
  });
  var mastodon = document.querySelector("[data-share-mastodon]");
  if (mastodon) {
    mastodon.addEventListener("submit", function () {
      if (!mastodon.querySelector("[aria-invalid='true']")) {
        send("share", { d: "mastodon" });
      }
    });
  }

  // An embedded player: the site it is on (its origin only, from the browser).
  if (config.getAttribute("data-embed") === "1") {
    var origin = "";
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      origin = window.location.ancestorOrigins[0];
    } else if (document.referrer) {
      try {
        origin = new URL(document.referrer).origin;
      } catch (error) { origin = ""; }
    }
    if (origin && origin !== window.location.origin) {
      send("embed", { d: origin });
    }
  }
})();
