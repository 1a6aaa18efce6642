// The presentation player: each step is its own page that works without JavaScript.
// This adds: a video plays only its in-to-out range (hls.js where the browser lacks native
// HLS), the arrow keys go back and forward, and the step's heading gets the focus so a
// screen reader announces the new step.
(function () {
  "use strict";
  var article = document.querySelector("[data-presentation-step]");
  document.querySelectorAll("video[data-step-video]").forEach(function (video) {
    var start = parseFloat(video.dataset.start || "0");
    var end = parseFloat(video.dataset.end || "0");
    var native = video.canPlayType("application/vnd.apple.mpegurl");
    if (!native && window.Hls && window.Hls.isSupported()) {
      var source = video.querySelector("[data-native-source]");
      if (source) source.remove();
      var hls = new window.Hls({ startPosition: start, maxBufferLength: 20 });
      hls.loadSource(video.dataset.hls);
      hls.attachMedia(video);
    }
    video.addEventListener("loadedmetadata", function () {
      if (video.currentTime < start) video.currentTime = start;
    });
    video.addEventListener("timeupdate", function () {
      if (end > start && video.currentTime >= end) {
        video.pause();
        video.currentTime = end;
      }
    });
    video.addEventListener("play", function () {
      if (end > start && (video.currentTime >= end - 0.05 || video.currentTime < start)) {
        video.currentTime = start;
      }
    });
  });
  var heading = document.querySelector("[data-step-heading]");
  var refusal = document.querySelector("[data-refusal]");
  if (refusal) {
    refusal.focus();
  } else if (heading && document.referrer && new URL(document.referrer).pathname.indexOf("/praesentationer/") !== -1) {
    heading.focus();
  }
  if (!article) return;
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, textarea, select, video, button, [contenteditable]")) return;
    var link = null;
    if (event.key === "ArrowRight") link = document.querySelector("[data-next]");
    if (event.key === "ArrowLeft") link = document.querySelector("[data-previous]");
    if (!link) return;
    event.preventDefault();
    // Back is a link; going on is a form's button (a POST counts the progress).
    if (link.href) window.location.href = link.href;
    else link.click();
  });
})();
