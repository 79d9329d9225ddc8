"""The security checks in `make lint`: bandit fails the build on a high-severity finding in our
code, and the pip-audit gate fails it on a known vulnerability but says plainly, without failing,
when pip-audit could not get vulnerability data."""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

GATE = Path(settings.BASE_DIR) / "scripts" / "pip_audit_gate.py"


def _gate(tmp_path, report: dict | None, *, exit_code: int = 0) -> subprocess.CompletedProcess:
    fake = tmp_path / "fake_pip_audit.py"
    output = json.dumps(report) if report is not None else ""
    fake.write_text(
        f"import sys\nprint({output!r})\nprint('ConnectionError: no route', file=sys.stderr)\nsys.exit({exit_code})\n"
    )
    return subprocess.run(
        [sys.executable, str(GATE)],
        env={"PIP_AUDIT_COMMAND": f"{sys.executable} {fake}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_known_vulnerability_fails_the_build(tmp_path):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["5.2.1"]}]},
            {"name": "celery", "version": "5.7.0", "vulns": []},
        ]
    }
    result = _gate(tmp_path, report, exit_code=1)
    assert result.returncode == 1
    assert "django 5.2.0: PYSEC-2099-1 (fixed in: 5.2.1)" in result.stdout


def test_no_vulnerability_data_is_said_plainly_and_does_not_fail(tmp_path):
    skipped = {
        "name": "django",
        "version": "5.2.19",
        "skip_reason": "Dependency not found on PyPI and could not be audited",
    }
    result = _gate(tmp_path, {"dependencies": [skipped]})
    assert result.returncode == 0
    assert "NOT AUDITED" in result.stdout
    unreachable = _gate(tmp_path, None, exit_code=1)
    assert unreachable.returncode == 0
    assert "NOT AUDITED: pip-audit could not reach its vulnerability data: ConnectionError" in unreachable.stdout


def test_a_clean_audit_passes(tmp_path):
    result = _gate(tmp_path, {"dependencies": [{"name": "celery", "version": "5.7.0", "vulns": []}]})
    assert result.returncode == 0
    assert "1 packages audited, no known vulnerabilities" in result.stdout


def test_bandit_fails_on_a_high_severity_finding_and_passes_our_code(tmp_path):
    bandit = Path(sys.executable).with_name("bandit")
    (tmp_path / "risky.py").write_text("import subprocess\nsubprocess.call(input(), shell=True)\n")
    config = str(Path(settings.BASE_DIR) / "pyproject.toml")
    risky = subprocess.run(
        [str(bandit), "-c", config, "-r", str(tmp_path), "--severity-level", "high", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert risky.returncode == 1
    assert "B602" in risky.stdout
    ours = subprocess.run(
        [str(bandit), "-c", config, "-r", ".", "--severity-level", "high", "-q"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ours.returncode == 0, ours.stdout
