"""A smart-cut clip MP4 (copied groups of pictures joined to re-encoded ends) plays in a real
browser from its first frame to its last, every frame decoded, with no error."""

import functools
import http.server
import threading

import pytest

from samskab.recordings import clipping
from samskab.recordings.tests import media

# Chromium and ffmpeg only: no database.
pytestmark = pytest.mark.one_pass

PLAY = """() => new Promise(done => {
  const video = document.querySelector("video");
  video.onerror = () => done({error: video.error.code + " " + video.error.message});
  video.onended = () => {
    const quality = video.getVideoPlaybackQuality();
    done({ended: video.currentTime, duration: video.duration, width: video.videoWidth,
          frames: quality.totalVideoFrames, dropped: quality.droppedVideoFrames});
  };
  video.play().catch(error => done({error: String(error)}));
})"""


@pytest.fixture
def served(tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_smart_cut_clip_plays_through_in_chromium(browser, served, tmp_path):
    source = media.numbered_mkv(tmp_path / "numbered.mkv")  # 25 frames/s, a key frame a second
    # From frame 63 to frame 203: both ends fall between key frames.
    how = clipping.clip_mp4_make(source, tmp_path / "clip.mp4", start_ms=2520, end_ms=8130)
    (tmp_path / "index.html").write_text('<video src="clip.mp4" muted playsinline></video>')
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{served}/index.html")

    played = page.evaluate(PLAY)
    page.close()

    assert how == "smart"
    assert "error" not in played, played
    assert played["frames"] == 141  # every frame decoded (a busy machine may drop some from view)
    assert played["ended"] == pytest.approx(5.64, abs=0.05)
