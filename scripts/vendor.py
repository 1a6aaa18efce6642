#!/usr/bin/env python3
"""Refresh the browser libraries under samskab/static/vendor/ from npm.

Run with any Python 3.11+ where `npm` is on the PATH: `python scripts/vendor.py`.
Only the maintainer who refreshes needs npm; installing and running Samskab needs no Node.js.
Each package is fetched with `npm pack <name>@<version>` (no install, no scripts run),
unpacked in a temporary folder, and only the files the site uses are copied, with their
licences, to samskab/static/vendor/<name>-<version>/. VERSIONS.txt records what is there.

For a stylesheet, every file its url()s point at is copied too, so the page never asks
for a file that is missing (fonts, icons). Source-map comments are removed because the
maps are not shipped (and Django's manifest storage would refuse a missing map).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "samskab" / "static" / "vendor"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    # Paths inside the npm package (below "package/"), copied keeping their layout below
    # `strip` so relative url()s in stylesheets keep working.
    files: tuple[str, ...]
    # (path in the package, name in the vendored folder)
    licences: tuple[tuple[str, str], ...]
    strip: str = ""
    # Stylesheets whose url() targets are copied as well.
    stylesheets: tuple[str, ...] = field(default=())

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


PACKAGES = [
    Package(
        name="dkfds",
        version="11.2.0",
        strip="dist/",
        files=(
            "dist/css/dkfds.min.css",
            "dist/js/dkfds.min.js",
            "dist/img/all-svg-icons.svg",
        ),
        stylesheets=("dist/css/dkfds.min.css",),
        licences=(
            ("LICENSE.md", "LICENSE.md"),
            ("dist/fonts/IBMPlexSans/complete/woff2/license.txt", "LICENSE-IBMPlexSans.txt"),
        ),
    ),
    Package(
        name="htmx.org",
        version="2.0.8",
        strip="dist/",
        files=("dist/htmx.min.js",),
        licences=(("LICENSE", "LICENSE"),),
    ),
    Package(
        name="chart.js",
        version="4.6.1",
        strip="dist/",
        files=("dist/chart.umd.min.js",),
        licences=(("LICENSE.md", "LICENSE.md"),),
    ),
    Package(
        # The optional tiled map (samskab/places/tiles.py names the folder: bump it there too).
        name="leaflet",
        version="1.9.4",
        strip="dist/",
        files=("dist/leaflet.js", "dist/leaflet.css"),
        stylesheets=("dist/leaflet.css",),
        licences=(("LICENSE", "LICENSE"),),
    ),
    Package(
        # Drag and drop in the presentation builder (samskab/presentations).
        name="sortablejs",
        version="1.15.7",
        files=("Sortable.min.js",),
        licences=(("LICENSE", "LICENSE"),),
    ),
    Package(
        name="axe-core",
        version="4.11.0",
        files=("axe.min.js",),
        licences=(("LICENSE", "LICENSE"), ("LICENSE-3RD-PARTY.txt", "LICENSE-3RD-PARTY.txt")),
    ),
]

URL_RE = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""")
SOURCE_MAP_RE = re.compile(r"\n?(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$")


def npm_pack(package: Package, into: Path) -> Path:
    """Download the package's tarball as npm publishes it and unpack it; return its root."""
    spec = f"{package.name}@{package.version}"
    # npm is the maintainer's own tool, found on the PATH, given fixed arguments.
    result = subprocess.run(  # noqa: S603
        ["npm", "pack", spec, "--silent", "--pack-destination", str(into)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = into / result.stdout.strip().splitlines()[-1]
    unpacked = into / package.folder
    with tarfile.open(tarball) as archive:
        archive.extractall(unpacked, filter="data")
    return unpacked / "package"


def referenced_files(stylesheet: Path, source_root: Path) -> set[str]:
    """Paths (relative to the package root) that a stylesheet's url()s point at."""
    found = set()
    for target in URL_RE.findall(stylesheet.read_text(encoding="utf-8")):
        if target.startswith(("data:", "#", "http:", "https:", "//")):
            continue
        target = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (stylesheet.parent / target).resolve()
        found.add(resolved.relative_to(source_root.resolve()).as_posix())
    return found


def copy_package(package: Package, source: Path, destination: Path) -> list[str]:
    wanted = set(package.files)
    for sheet in package.stylesheets:
        wanted |= referenced_files(source / sheet, source)
    missing = sorted(path for path in wanted if not (source / path).is_file())
    if missing:
        raise SystemExit(f"{package.folder}: files named but not in the package: {missing}")

    if destination.exists():
        shutil.rmtree(destination)
    copied = []
    for path in sorted(wanted):
        relative = PurePosixPath(path)
        if package.strip and path.startswith(package.strip):
            relative = PurePosixPath(path[len(package.strip) :])
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.suffix in {".css", ".js"}:
            text = (source / path).read_text(encoding="utf-8")
            target.write_text(SOURCE_MAP_RE.sub("\n", text), encoding="utf-8")
        else:
            shutil.copyfile(source / path, target)
        copied.append(relative.as_posix())
    for licence, target_name in package.licences:
        shutil.copyfile(source / licence, destination / target_name)
        copied.append(target_name)
    return copied


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--from-dir",
        type=Path,
        help="use tarballs already unpacked here (<dir>/<name>-<version>/package) instead of npm",
    )
    args = parser.parse_args(argv)
    if args.from_dir is None and shutil.which("npm") is None:
        print("npm is needed to refresh the vendored files (not to run Samskab).", file=sys.stderr)
        return 1

    VENDOR.mkdir(parents=True, exist_ok=True)
    lines = ["# Written by scripts/vendor.py; do not edit. name version files sha256(tree)[:16]"]
    with tempfile.TemporaryDirectory() as temporary:
        for package in PACKAGES:
            if args.from_dir:
                source = args.from_dir / package.folder / "package"
            else:
                source = npm_pack(package, Path(temporary))
            destination = VENDOR / package.folder
            copied = copy_package(package, source, destination)
            lines.append(
                f"{package.name} {package.version} {len(copied)} {tree_digest(destination)}"
            )
            print(f"{package.folder}: {len(copied)} files")
    # Older versions of these packages are removed, so old copies do not linger. Other
    # vendored libraries (hls.js, refreshed by scripts/vendor_hls.py) are not ours to touch.
    current = {package.folder for package in PACKAGES}
    ours = tuple(f"{package.name}-" for package in PACKAGES)
    for folder in VENDOR.iterdir():
        if folder.is_dir() and folder.name.startswith(ours) and folder.name not in current:
            shutil.rmtree(folder)
            print(f"removed {folder.name}")
    (VENDOR / "VERSIONS.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
