"""The vendored browser libraries are whole, unedited, licensed and small."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).parent
VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"


def vendor_script():
    spec = importlib.util.spec_from_file_location("vendor_script", ROOT / "scripts" / "vendor.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_file_a_stylesheet_points_at_is_vendored():
    script = vendor_script()
    for package in script.PACKAGES:
        for sheet in package.stylesheets:
            css = VENDOR / package.folder / sheet.removeprefix(package.strip)
            missing = [
                target
                for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text())
                if not target.startswith(("data:", "#"))
                and not (css.parent / target.split("#")[0]).is_file()
            ]
            assert missing == [], css


def test_the_vendored_trees_are_what_the_refresh_script_wrote():
    script = vendor_script()
    recorded = {
        line.split()[0]: line.split()
        for line in (VENDOR / "VERSIONS.txt").read_text().splitlines()
        if not line.startswith("#")
    }
    for package in script.PACKAGES:
        _name, version, _count, digest = recorded[package.name]
        assert version == package.version
        assert script.tree_digest(VENDOR / package.folder) == digest, (
            f"{package.folder} was changed by hand; run python scripts/vendor.py"
        )


@pytest.mark.parametrize("folder", sorted(p.name for p in VENDOR.iterdir() if p.is_dir()))
def test_every_library_carries_its_licence(folder):
    assert list((VENDOR / folder).glob("LICENSE*")), folder


def test_the_vendored_files_stay_small():
    total = sum(path.stat().st_size for path in VENDOR.rglob("*") if path.is_file())
    assert total < 6 * 1024 * 1024


def test_no_source_map_is_referenced_because_none_is_shipped():
    for path in [*VENDOR.rglob("*.js"), *VENDOR.rglob("*.css")]:
        assert "sourceMappingURL" not in path.read_text(encoding="utf-8"), path
