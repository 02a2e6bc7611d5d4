"""scripts/audit_deps.py: a vulnerability fails CI, an unreachable service only skips the audit.

pip-audit's answers are played by a stand-in `pip_audit` module (the far side: the
vulnerability service cannot be reached from this machine).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "audit_deps.py"


def _run_with_stand_in(tmp_path: Path, stdout: str, stderr: str = "", code: int = 0
                       ) -> subprocess.CompletedProcess[str]:
    package = tmp_path / "stand_in" / "pip_audit"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(
        f"import sys\nsys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\nsys.exit({code})\n")
    lock = tmp_path / "requirements.lock"
    lock.write_text("aiohttp==3.9.0\npyyaml==6.0.4\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "stand_in")}
    return subprocess.run([sys.executable, str(SCRIPT), str(lock)], capture_output=True,
                          text=True, env=env, timeout=60, check=False)


def _report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_known_vulnerability_fails(tmp_path: Path) -> None:
    run = _run_with_stand_in(tmp_path, _report(
        {"name": "aiohttp", "version": "3.9.0", "vulns": [
            {"id": "GHSA-xxxx", "fix_versions": ["3.9.2"], "aliases": [], "description": ""}]},
        {"name": "pyyaml", "version": "6.0.4", "vulns": []}), code=1)
    assert run.returncode == 1
    assert "VULNERABLE aiohttp 3.9.0: GHSA-xxxx (fixed in: 3.9.2)" in run.stdout


def test_a_clean_set_passes(tmp_path: Path) -> None:
    run = _run_with_stand_in(tmp_path, _report(
        {"name": "aiohttp", "version": "3.14.5", "vulns": []},
        {"name": "pyyaml", "version": "6.0.4", "vulns": []}))
    assert run.returncode == 0
    assert "2 locked packages, no known vulnerabilities" in run.stdout


@pytest.mark.parametrize("stdout, stderr", [
    ("", "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'\n"),
    (_report({"name": "aiohttp", "version": "3.9.0",
              "skip_reason": "Dependency not found on PyPI and could not be audited"},
             {"name": "pyyaml", "version": "6.0.4",
              "skip_reason": "Dependency not found on PyPI and could not be audited"}), ""),
])
def test_an_unreachable_service_skips_in_one_line(tmp_path: Path, stdout: str, stderr: str) -> None:
    run = _run_with_stand_in(tmp_path, stdout, stderr, code=1 if stderr else 0)
    assert run.returncode == 0
    [line] = run.stdout.splitlines()
    assert line.startswith("dependency audit skipped: ")
