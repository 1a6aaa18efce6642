"""scripts/audit.py: the dependency audit says when it audited nothing (security review L9)."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("audit", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

SKIPPED = {
    "name": "anyio",
    "skip_reason": "Dependency not found on PyPI and could not be audited: anyio (4.16.0)",
}
CLEAN = {"name": "django", "version": "5.2.9", "vulns": []}
VULNERABLE = {
    "name": "pillow",
    "version": "9.0.0",
    "vulns": [{"id": "PYSEC-2022-1", "fix_versions": ["9.0.1"], "description": "..."}],
}


def test_everything_skipped_is_not_a_pass():
    # What pip-audit reported here, with "No known vulnerabilities found" and exit 0.
    report = audit.parse({"dependencies": [SKIPPED, SKIPPED | {"name": "httpx"}], "fixes": []})
    status, lines = audit.verdict(report, allow_offline=False)
    assert status == 2
    assert lines[0].startswith("NOT AUDITED: 2 of 2 packages could not be checked")
    assert lines[-1] == "AUDITED: 0 of 2 packages; 0 with known vulnerabilities."


def test_offline_may_be_allowed_but_is_still_said():
    report = audit.parse({"dependencies": [SKIPPED]})
    status, lines = audit.verdict(report, allow_offline=True)
    assert status == 0
    assert lines[0].startswith("NOT AUDITED:") and "not a pass" in lines[1]


def test_no_report_at_all_is_not_audited():
    status, lines = audit.verdict(None, allow_offline=False, error="connection refused")
    assert status == 2 and lines[0] == "NOT AUDITED: no package was checked (connection refused)."


def test_a_vulnerability_fails_even_when_offline_is_allowed():
    report = audit.parse({"dependencies": [CLEAN, VULNERABLE, SKIPPED]})
    status, lines = audit.verdict(report, allow_offline=True)
    assert status == 1
    assert "VULNERABLE: pillow 9.0.0: PYSEC-2022-1 (fixed in 9.0.1)" in lines
    assert lines[-1] == "AUDITED: 2 of 3 packages; 1 with known vulnerabilities."


def test_everything_audited_and_clean_passes():
    status, lines = audit.verdict(audit.parse({"dependencies": [CLEAN]}), allow_offline=False)
    assert status == 0 and lines == ["AUDITED: 1 of 1 packages; 0 with known vulnerabilities."]
