"""Run pip-audit on the installed packages (.venv) and decide what it means for the build.

- A known vulnerability in any installed package fails the build (exit 1). pip-audit's PyPI data
  carries no severity, so every known vulnerability counts as high until someone has read it; to
  accept one knowingly, add its id to ACCEPTED below with the reason.
- When pip-audit cannot get vulnerability data (no network, a package mirror that does not serve
  PyPI's per-version JSON, OSV unreachable), it says "could not be audited" for each package and
  would otherwise report success. This script says plainly that the packages were NOT audited,
  and does not fail the build for that reason alone.

Usage: python scripts/pip_audit_gate.py   (from `make security`, part of `make lint`)
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

# Vulnerability ids accepted after review: {"PYSEC-…" or "GHSA-…": "why it does not apply"}.
ACCEPTED: dict[str, str] = {}
TIMEOUT_SECONDS = 600


def main() -> int:
    # PIP_AUDIT_COMMAND stands in for pip-audit in the gate's own tests.
    pip_audit = shlex.split(os.environ.get("PIP_AUDIT_COMMAND", "")) or [
        str(Path(sys.executable).with_name("pip-audit"))
    ]
    command = [*pip_audit, "--format", "json", "--progress-spinner", "off", "--vulnerability-service", "pypi"]
    try:
        # The command is this venv's own pip-audit (or the gate tests' stand-in): no outside input.
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as error:
        return _not_audited(f"pip-audit did not run to the end: {error}")
    try:
        report = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return _not_audited(f"pip-audit could not reach its vulnerability data: {last}")

    dependencies = report.get("dependencies", [])
    skipped = [dependency for dependency in dependencies if dependency.get("skip_reason")]
    audited = [dependency for dependency in dependencies if not dependency.get("skip_reason")]
    found = [
        (dependency["name"], dependency["version"], vulnerability)
        for dependency in audited
        for vulnerability in dependency.get("vulns", [])
        if vulnerability["id"] not in ACCEPTED
    ]
    for name, version, vulnerability in found:
        fixes = ", ".join(vulnerability.get("fix_versions", [])) or "no fixed version yet"
        print(f"pip-audit: {name} {version}: {vulnerability['id']} (fixed in: {fixes})")
    if found:
        print(f"pip-audit: {len(found)} known vulnerabilities in installed packages: failing the build.")
        return 1
    if not dependencies or not audited:
        reasons = sorted({dependency["skip_reason"].split(":")[0] for dependency in skipped})
        return _not_audited(
            f"none of the {len(dependencies)} installed packages could be audited ({'; '.join(reasons) or 'no data'})"
        )
    if skipped:
        names = ", ".join(sorted(dependency["name"] for dependency in skipped))
        print(f"pip-audit: WARNING: {len(skipped)} packages could not be audited: {names}")
    print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities.")
    return 0


def _not_audited(reason: str) -> int:
    print(f"pip-audit: NOT AUDITED: {reason}.")
    print("pip-audit: the packages' known vulnerabilities were not checked; run `make security` where")
    print("pip-audit can reach its vulnerability services (the package index's per-version JSON API or OSV).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
