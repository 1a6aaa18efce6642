// A clip plays the meeting's own segments that cover it: start at the clip's first moment
// inside the first segment and stop at its end. hls.js where the browser lacks native HLS.
(function () {
  "use strict";
  const video = document.querySelector("[data-clip-video]");
  if (!video) return;
  const start = parseFloat(video.dataset.clipStart || "0");
  const end = start + parseFloat(video.dataset.clipLength || "0");
  const native = video.canPlayType("application/vnd.apple.mpegurl");
  if (!native && window.Hls && window.Hls.isSupported()) {
    const source = video.querySelector("[data-native-source]");
    if (source) source.remove();
    const hls = new window.Hls({ startPosition: start });
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
    if (video.currentTime >= end - 0.05 || video.currentTime < start) video.currentTime = start;
  });
})();
