from pathlib import Path

import pytest

from samskab.recordings.tests import media


@pytest.fixture(scope="session")
def pattern_video(tmp_path_factory) -> Path:
    return media.pattern_mp4(tmp_path_factory.mktemp("videos") / "pattern.mp4")


@pytest.fixture(scope="session")
def timecoded_video(tmp_path_factory) -> Path:
    return media.timecoded_mkv(tmp_path_factory.mktemp("videos") / "timecoded.mkv")


@pytest.fixture(scope="session")
def mpeg4_video(tmp_path_factory) -> Path:
    return media.mpeg4_mov(tmp_path_factory.mktemp("videos") / "old-camera.mov")


@pytest.fixture(scope="session")
def numbered_video(tmp_path_factory) -> Path:
    return media.numbered_mkv(tmp_path_factory.mktemp("videos") / "numbered.mkv")
