/* The timeline editor: play the recording beside the marks, and put the video's current
   time into a mark's field ("Use the video's time") or play from a mark's time. */
(function () {
  "use strict";

  var root = document.querySelector("[data-timeline]");
  if (!root) {
    return;
  }
  var video = root.querySelector("video[data-hls]");

  // The recording at a glance: each mark's tick where it lies (CSP allows no inline style,
  // so the server gives the place as data-percent). A tick is a link to its mark's row.
  var track = root.querySelector(".timeline-track");
  if (track) {
    Array.prototype.forEach.call(track.querySelectorAll("[data-percent]"), function (element) {
      if (element.tagName === "LI") {
        element.style.left = element.getAttribute("data-percent") + "%";
      }
    });
    track.classList.add("is-placed");
  }
  root.addEventListener("click", function (event) {
    var marker = event.target.closest("[data-marker-for]");
    if (!marker) {
      return;
    }
    var field = document.getElementById(marker.getAttribute("data-marker-for"));
    if (!field) {
      return;
    }
    event.preventDefault();
    field.focus();
    if (video) {
      var at = parse(field.value);
      if (at !== null) {
        video.currentTime = at;
      }
    }
  });

  if (!video) {
    return;
  }
  var readout = root.querySelector("[data-video-time]");

  if (window.Hls && window.Hls.isSupported()) {
    var source = video.querySelector("[data-native-source]");
    if (source) {
      source.parentNode.removeChild(source);
    }
    var hls = new window.Hls({ enableWorker: false });
    hls.loadSource(video.getAttribute("data-hls"));
    hls.attachMedia(video);
  }

  function timecode(seconds) {
    var ms = Math.max(0, Math.round(seconds * 1000));
    var pad = function (n, width) { n = String(n); while (n.length < width) { n = "0" + n; } return n; };
    var total = Math.floor(ms / 1000);
    return Math.floor(total / 3600) + ":" + pad(Math.floor((total % 3600) / 60), 2) + ":" +
      pad(total % 60, 2) + "." + pad(ms % 1000, 3);
  }

  function parse(text) {
    var match = /^(?:(?:(\d{1,2}):)?(\d{1,3}):)?(\d{1,6})(?:[.,](\d{1,3}))?$/.exec(text.trim());
    if (!match) {
      return null;
    }
    var fraction = (match[4] || "0");
    while (fraction.length < 3) { fraction += "0"; }
    return ((parseInt(match[1] || "0", 10) * 60 + parseInt(match[2] || "0", 10)) * 60 +
      parseInt(match[3], 10)) + parseInt(fraction, 10) / 1000;
  }

  video.addEventListener("timeupdate", function () {
    if (readout) {
      readout.textContent = timecode(video.currentTime);
    }
  });

  root.addEventListener("click", function (event) {
    var use = event.target.closest("[data-use-video-time]");
    if (use) {
      var field = document.getElementById(use.getAttribute("data-use-video-time"));
      field.value = timecode(video.currentTime);
      field.focus();
      return;
    }
    var play = event.target.closest("[data-play-from]");
    if (play) {
      var seconds = parse(document.getElementById(play.getAttribute("data-play-from")).value);
      if (seconds !== null) {
        video.currentTime = seconds;
        var playing = video.play();
        if (playing && playing.catch) {
          playing.catch(function () { /* the editor presses play */ });
        }
      }
    }
  });
})();
