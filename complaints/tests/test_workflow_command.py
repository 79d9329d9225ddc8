from io import StringIO

from django.core.management import call_command

from complaints.workflow import MOVES


def _run(*args) -> str:
    out = StringIO()
    call_command("workflow", *args, stdout=out)
    return out.getvalue()


def test_the_table_lists_every_move_with_who_may_make_it():
    lines = _run().splitlines()
    assert lines[0].split()[:3] == ["move", "from", "to"]
    names = [line.split()[0] for line in lines[2:]]
    assert names == list(MOVES)
    withdraw = next(line for line in lines if line.startswith("withdraw "))
    assert "Enrollee" in withdraw
    assert "CLOSURE to ENROLLEE" in withdraw


def test_the_dot_picture_has_an_arrow_for_every_move():
    dot = _run("--format", "dot")
    assert dot.startswith("digraph case_workflow {")
    assert dot.rstrip().endswith("}")
    for name in MOVES:
        assert f'label="{name}\\n' in dot, name
    assert "TRIAGED_IMR -> IN_IMR_REVIEW" in dot
    assert "BEFORE_DECISION -> WITHDRAWN" in dot
