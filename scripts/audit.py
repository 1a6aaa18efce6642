"""Audit the locked dependencies for known vulnerabilities, and say plainly what was audited.

Usage: python scripts/audit.py [REQUIREMENTS]   (default: requirements.lock)

Runs pip-audit against PyPI's vulnerability data and reads its JSON report. pip-audit on its
own prints "No known vulnerabilities found" and exits 0 when it could reach none of the data
(every package "skipped"), which reads as a pass. Here:
- a known vulnerability: listed, exit 1;
- packages that could not be audited (the data could not be reached, or a package is not on
  PyPI): a line starting "NOT AUDITED:" saying how many and why, and exit 2, unless
  AUDIT_ALLOW_OFFLINE=1 (CI where PyPI's API cannot be reached), which still prints it;
- everything audited and nothing found: "AUDITED: ..." and exit 0.
"""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Report:
    audited: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # name -> pip-audit's reason
    vulnerable: dict[str, list[str]] = field(default_factory=dict)  # name -> ids and fixes

    @property
    def total(self) -> int:
        return len(self.audited) + len(self.skipped)


def parse(report: dict) -> Report:
    """pip-audit's `-f json` output: each dependency has `vulns` (audited) or `skip_reason`."""
    result = Report()
    for dependency in report.get("dependencies", []):
        name = dependency.get("name", "?")
        if "skip_reason" in dependency or "vulns" not in dependency:
            result.skipped[name] = dependency.get("skip_reason") or "no vulnerability data"
            continue
        version = dependency.get("version", "")
        result.audited.append(f"{name} {version}".strip())
        found = [
            vuln.get("id", "?")
            + (f" (fixed in {', '.join(vuln['fix_versions'])})" if vuln.get("fix_versions") else "")
            for vuln in dependency["vulns"]
        ]
        if found:
            result.vulnerable[f"{name} {version}".strip()] = found
    return result


def verdict(
    report: Report | None, *, allow_offline: bool, error: str = ""
) -> tuple[int, list[str]]:
    """The exit status and the lines to print."""
    if report is None or report.total == 0:
        why = error or "pip-audit gave no report"
        line = f"NOT AUDITED: no package was checked ({why})."
        return (0 if allow_offline else 2), [line, *_offline_hint(allow_offline)]
    lines = []
    for name, vulns in sorted(report.vulnerable.items()):
        lines.append(f"VULNERABLE: {name}: {'; '.join(vulns)}")
    if report.skipped:
        reasons = sorted(set(report.skipped.values()))
        lines.append(
            f"NOT AUDITED: {len(report.skipped)} of {report.total} packages could not be checked "
            f"against the vulnerability data, e.g. {reasons[0]}"
        )
        lines.extend(_offline_hint(allow_offline))
    lines.append(
        f"AUDITED: {len(report.audited)} of {report.total} packages; "
        f"{len(report.vulnerable)} with known vulnerabilities."
    )
    if report.vulnerable:
        return 1, lines
    if report.skipped and not allow_offline:
        return 2, lines
    return 0, lines


def _offline_hint(allow_offline: bool) -> list[str]:
    if allow_offline:
        return ["(allowed: AUDIT_ALLOW_OFFLINE=1; the result above is not a pass)"]
    return ["Run where PyPI's vulnerability API can be reached, or set AUDIT_ALLOW_OFFLINE=1."]


def run(requirements: str) -> tuple[Report | None, str]:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        # Our own interpreter's pip-audit, with fixed arguments but the requirements file.
        completed = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "pip_audit",
                "-r",
                requirements,
                "--vulnerability-service",
                "pypi",
                "--progress-spinner",
                "off",
                "-f",
                "json",
                "-o",
                str(output),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if not output.exists():
            error = (completed.stderr or completed.stdout).strip().splitlines()
            return None, error[-1] if error else f"pip-audit exited {completed.returncode}"
        return parse(json.loads(output.read_text())), ""


def main(argv: list[str]) -> int:
    requirements = argv[0] if argv else str(ROOT / "requirements.lock")
    report, error = run(requirements)
    status, lines = verdict(
        report, allow_offline=os.environ.get("AUDIT_ALLOW_OFFLINE") == "1", error=error
    )
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
