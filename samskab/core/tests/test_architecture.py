"""docs/architecture.md lists exactly the installed Samskab apps, so the map cannot drift."""

import re
from pathlib import Path

from django.apps import apps

ARCHITECTURE = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"


def _listed() -> set[str]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.split("## The apps", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `samskab/(\w+)` \|", table, flags=re.MULTILINE))


def _installed() -> set[str]:
    # Apps of the test suite itself (samskab/*/tests/...) are not the product's.
    return {
        config.name.split(".")[1]
        for config in apps.get_app_configs()
        if config.name.startswith("samskab.")
        and ".tests" not in config.name
        # MitID is a part of accounts, installed separately for allauth's provider registry.
        and config.name.count(".") == 1
    }


def _packages() -> set[str]:
    root = ARCHITECTURE.parents[1] / "samskab"
    return {path.parent.name for path in root.glob("*/__init__.py")}


def test_the_architecture_page_lists_exactly_the_installed_apps():
    # media is a plain package of pure code, not a Django app; it is listed too.
    assert _listed() == _installed() | {"media"}


def test_every_package_under_samskab_is_an_installed_app_or_listed():
    assert _packages() == _listed()


def test_every_package_under_samskab_is_in_a_layer_of_the_import_contract():
    # An app in no layer would escape `lint-imports`: a new capability must be placed.
    import tomllib

    config = tomllib.loads((ARCHITECTURE.parents[1] / "pyproject.toml").read_text())
    [layers] = [
        c["layers"] for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    ]
    layered = {module.strip().split(".")[1] for layer in layers for module in layer.split(":")}
    assert _packages() <= layered
