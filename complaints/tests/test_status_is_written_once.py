"""Nothing but the move service assigns a case's status (the workflow has one door)."""

import ast
from pathlib import Path

from django.conf import settings

ALLOWED = {
    Path("complaints/services/moves.py"),
    # A backup run's own status (ops.BackupRun), not a case's.
    Path("ops/backup/schedule.py"),
    Path("ops/backup/services.py"),
}
APPS = ["accounts", "complaints", "imr", "letters", "helpcenter", "ops", "packets", "review", "api"]


def _status_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        lines += [t.lineno for t in targets if isinstance(t, ast.Attribute) and t.attr == "status"]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "create", "bulk_update", "update_or_create", "get_or_create"}
        ):
            lines += [kw.lineno for kw in node.keywords if kw.arg == "status"]
            lines += [
                arg.lineno
                for arg in node.args
                if isinstance(arg, ast.List)
                and any(isinstance(e, ast.Constant) and e.value == "status" for e in arg.elts)
            ]
    return lines


def test_only_the_move_service_writes_a_case_status():
    base = Path(settings.BASE_DIR)
    offenders = []
    for app in APPS:
        for path in (base / app).rglob("*.py"):
            relative = path.relative_to(base)
            if "tests" in relative.parts or "migrations" in relative.parts or relative in ALLOWED:
                continue
            for line in _status_writes(ast.parse(path.read_text(), filename=str(path))):
                offenders.append(f"{relative}:{line}")
    assert offenders == []


def test_the_scan_finds_a_status_write():
    sample = ast.parse("case.status = 'CLOSED'\nCase.objects.filter(pk=1).update(status='X')\n")
    assert _status_writes(sample) == [1, 2]
