#!/usr/bin/env python3
"""Refresh the vendored hls.js (the meeting player's HLS engine) from npm.

Run with any Python 3.11+ where `npm` is on the PATH: `python scripts/vendor_hls.py`.
Kept apart from scripts/vendor.py so the player's library can be refreshed on its own.
`npm pack` downloads the published tarball without installing it or running its scripts;
only the minified light build and the licence are copied to samskab/static/vendor/hls.js-<version>/.
The player template names the folder, so bump HLS_VERSION in samskab/webcasts/player.py too.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "samskab" / "static" / "vendor"
NAME = "hls.js"
VERSION = "1.7.4"
# (path inside the npm package, name in the vendored folder)
# The light build: no HLS subtitles, alternate audio or DRM; captions come as <track>s.
FILES = (("dist/hls.light.min.js", "hls.light.min.js"), ("LICENSE", "LICENSE"))
SOURCE_MAP_RE = re.compile(r"\n?//# sourceMappingURL=\S*\s*$")


def npm_pack(spec: str, into: Path) -> Path:
    # npm is the maintainer's own tool, found on the PATH, given fixed arguments.
    result = subprocess.run(  # noqa: S603
        ["npm", "pack", spec, "--silent", "--pack-destination", str(into)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = into / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        archive.extractall(into / "unpacked", filter="data")
    return into / "unpacked" / "package"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=VERSION)
    args = parser.parse_args(argv)
    if shutil.which("npm") is None:
        print("npm is needed to refresh the vendored files (not to run Samskab).", file=sys.stderr)
        return 1
    destination = VENDOR / f"{NAME}-{args.version}"
    with tempfile.TemporaryDirectory() as temporary:
        source = npm_pack(f"{NAME}@{args.version}", Path(temporary))
        if destination.exists():
            shutil.rmtree(destination)
        destination.mkdir(parents=True)
        for inside, target in FILES:
            if target.endswith(".js"):
                text = (source / inside).read_text(encoding="utf-8")
                (destination / target).write_text(SOURCE_MAP_RE.sub("\n", text), encoding="utf-8")
            else:
                shutil.copyfile(source / inside, destination / target)
    # Older hls.js folders are removed so only one copy is shipped.
    for folder in VENDOR.glob(f"{NAME}-*"):
        if folder.is_dir() and folder != destination:
            shutil.rmtree(folder)
            print(f"removed {folder.name}")
    print(f"{destination.relative_to(ROOT)}: {len(FILES)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
