"""``manage.py due``: what an operator sees on stdout, stderr and in the exit status.

Expected dates were counted by hand on the 2026 calendar; the comments show the count.
"""

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

# Every clock, normal and urgent, started on Friday 2026-03-06 (a bare date: 00:00 PST that day).
# Clocks spring forward on Sunday Mar 8; Sep 7 is Labor Day.
EVERY_CLOCK_FROM_FRIDAY_MARCH_6 = [
    # 6 months: Sun Sep 6 -> Mon Sep 7 (Labor Day) -> Tue Sep 8.
    ("filing_window", False, "2026-09-08T23:59:59-07:00"),
    ("filing_window", True, "2026-09-08T23:59:59-07:00"),
    # 30 days: Mar 6 + 25 = Mar 31, + 5 = Sun Apr 5 -> Mon Apr 6. Urgent 3 days: Mon Mar 9 (now PDT).
    ("plan_grievance", False, "2026-04-06T23:59:59-07:00"),
    ("plan_grievance", True, "2026-03-09T23:59:59-07:00"),
    # 5 days: Wed Mar 11.
    ("acknowledgement", False, "2026-03-11T23:59:59-07:00"),
    ("acknowledgement", True, "2026-03-11T23:59:59-07:00"),
    # 7 days: Fri Mar 13. Urgent 48 hours from 00:00 PST: Sun Mar 8 00:00, still PST (the change is at 02:00).
    ("eligibility_notice", False, "2026-03-13T23:59:59-07:00"),
    ("eligibility_notice", True, "2026-03-08T00:00:00-08:00"),
    # 3 business days: Mon 9, Tue 10, Wed 11. Urgent 24 hours: Sat Mar 7 00:00 PST.
    ("plan_response", False, "2026-03-11T23:59:59-07:00"),
    ("plan_response", True, "2026-03-07T00:00:00-08:00"),
    # 30 days: Mon Apr 6 as above. Urgent 7 days: Fri Mar 13.
    ("imr_decision", False, "2026-04-06T23:59:59-07:00"),
    ("imr_decision", True, "2026-03-13T23:59:59-07:00"),
    ("complaint_decision", False, "2026-04-06T23:59:59-07:00"),
    ("complaint_decision", True, "2026-04-06T23:59:59-07:00"),
    # 5 business days: Mon 9 to Fri 13.
    ("imr_implementation", False, "2026-03-13T23:59:59-07:00"),
    ("imr_implementation", True, "2026-03-13T23:59:59-07:00"),
    # The IMR organization's 30 days: Mon Apr 6 as above. Urgent 3 days: Mon Mar 9 (now PDT).
    ("imro_determination", False, "2026-04-06T23:59:59-07:00"),
    ("imro_determination", True, "2026-03-09T23:59:59-07:00"),
]


def run_due(*args, stdin=None):
    """call_command, returning (stdout, stderr, exit status) the way the command line would."""
    out, err = io.StringIO(), io.StringIO()
    options = {"stdout": out, "stderr": err}
    if stdin is not None:
        options["stdin"] = io.StringIO(stdin)
    try:
        call_command("due", *args, **options)
    except CommandError as error:
        err.write(f"CommandError: {error}\n")
        return out.getvalue(), err.getvalue(), error.returncode
    return out.getvalue(), err.getvalue(), 0


def run_due_process(*args, stdin=""):
    return subprocess.run(
        [sys.executable, "manage.py", "due", *args],
        cwd=settings.BASE_DIR,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("clock", "urgent", "expected"), EVERY_CLOCK_FROM_FRIDAY_MARCH_6)
def test_every_clock_normal_and_urgent(clock, urgent, expected):
    assert run_due(clock, "2026-03-06", *(["--urgent"] if urgent else [])) == (expected + "\n", "", 0)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # The UPPER form names the same clock: Tue Nov 24 + 3 business days around Thanksgiving -> Tue Dec 1.
        (["PLAN_RESPONSE", "2026-11-24"], "2026-12-01T23:59:59-08:00"),
        # With an offset: Sat 07:30Z is still Friday Nov 20 in Los Angeles; Fri + 5 = Wed Nov 25.
        (["acknowledgement", "2026-11-21T07:30Z"], "2026-11-25T23:59:59-08:00"),
        # Without an offset the time is Los Angeles time: Sat Nov 21 + 5 = Thanksgiving -> Fri holiday
        # -> weekend -> Mon Nov 30.
        (["acknowledgement", "2026-11-21T07:30"], "2026-11-30T23:59:59-08:00"),
        # 02:30 on Mar 8 does not exist; fold=0 reads it at -08:00 (10:30Z). + 48 h = Mar 10 10:30Z = 03:30 PDT.
        (["eligibility_notice", "2026-03-08T02:30", "--urgent"], "2026-03-10T03:30:00-07:00"),
        # 01:30 on Nov 1 happens twice; fold=0 is the first, at -07:00 (08:30Z). + 24 h = 00:30 PST.
        (["plan_response", "2026-11-01T01:30", "--urgent"], "2026-11-02T00:30:00-08:00"),
        # The second 01:30 needs its offset spelled out: 09:30Z + 24 h = 01:30 PST.
        (["plan_response", "2026-11-01T01:30-08:00", "--urgent"], "2026-11-02T01:30:00-08:00"),
    ],
)
def test_how_start_is_read(args, expected):
    assert run_due(*args) == (expected + "\n", "", 0)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["nonsense", "2026-11-24"], "unknown clock 'nonsense'"),
        (["plan_response", "2026-02-30"], "cannot read START '2026-02-30'"),
        (["plan_response", "next tuesday"], "cannot read START 'next tuesday'"),
        (["plan_response"], "missing START"),
        ([], "missing CLOCK"),
        (["plan_response", "2026-11-24", "urgent"], "extra words after START: 'urgent'"),
        (["-", "2026-11-24"], 'with "-" give no START'),
        (["filing_window", "9999-12-01"], "outside the calendar"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(args, problem):
    out, err, status = run_due(*args)
    assert (out, status) == ("", 2)
    assert err.count("\n") == 1
    assert problem in err


def test_lines_from_standard_input_keep_going_past_bad_lines():
    lines = "\n".join(
        [
            "# clock start [urgent]",  # 1
            "plan_response 2026-11-24",  # 2: -> Tue Dec 1 (see above)
            "",  # 3
            "nonsense 2026-11-24",  # 4
            "   # an indented comment",  # 5
            "plan_response 2026-11-24T09:00 urgent",  # 6: 24 hours -> Wed Nov 25 09:00
            "plan_response 2026-11-24 soon",  # 7
            "acknowledgement 2026-13-01",  # 8
            "acknowledgement 2026-11-24 urgent please",  # 9
            "acknowledgement",  # 10
            "ACKNOWLEDGEMENT 2026-11-24 URGENT",  # 11: Tue + 5 = Sun Nov 29 -> Mon Nov 30
        ]
    )
    out, err, status = run_due("-", stdin=lines)
    assert out.splitlines() == [
        "2026-12-01T23:59:59-08:00",
        "2026-11-25T09:00:00-08:00",
        "2026-11-30T23:59:59-08:00",
    ]
    assert status == 2
    assert err.splitlines() == [
        "line 4: unknown clock 'nonsense'; the clocks are: filing_window, plan_grievance, acknowledgement, "
        "eligibility_notice, plan_response, imr_decision, complaint_decision, imr_implementation, imro_determination",
        "line 7: the third word may only be 'urgent', not 'soon'",
        "line 8: cannot read START '2026-13-01': give an ISO date (2026-11-24) or date and time (2026-11-24T16:30)",
        "line 9: expected CLOCK START [urgent], found extra words: 'please'",
        "line 10: expected CLOCK START [urgent], found only one word",
        "CommandError: 5 of 8 input lines were bad and printed no due moment",
    ]


def test_good_lines_from_standard_input_exit_0():
    lines = "".join(
        f"{clock} 2026-03-06{' urgent' if urgent else ''}\n" for clock, urgent, _ in EVERY_CLOCK_FROM_FRIDAY_MARCH_6
    )
    assert run_due("-", stdin=lines) == ("".join(due + "\n" for _, _, due in EVERY_CLOCK_FROM_FRIDAY_MARCH_6), "", 0)


# --- The real command line: exit status comes from the process, not from call_command. ---------


def test_command_line_prints_the_due_moment():
    result = run_due_process("plan_response", "2026-11-24")
    assert (result.returncode, result.stdout, result.stderr) == (0, "2026-12-01T23:59:59-08:00\n", "")


def test_command_line_bad_clock_exits_2_with_one_line():
    result = run_due_process("plan_responce", "2026-11-24")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("CommandError: unknown clock 'plan_responce'")
    assert result.stderr.count("\n") == 1


def test_command_line_missing_clock_exits_2_with_one_line():
    result = run_due_process()
    assert (result.returncode, result.stdout, result.stderr) == (
        2,
        "",
        "CommandError: missing CLOCK and START (see --help)\n",
    )


def test_command_line_reads_every_clock_from_standard_input():
    lines = [f"{clock} 2026-03-06{' urgent' if urgent else ''}" for clock, urgent, _ in EVERY_CLOCK_FROM_FRIDAY_MARCH_6]
    lines.insert(3, "filing_window 2026-03-06 maybe")  # becomes line 4
    result = run_due_process("-", stdin="\n".join(lines) + "\n")
    assert result.stdout.splitlines() == [due for _, _, due in EVERY_CLOCK_FROM_FRIDAY_MARCH_6]
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "line 4: the third word may only be 'urgent', not 'maybe'",
        "CommandError: 1 of 19 input lines were bad and printed no due moment",
    ]


def test_command_line_help_explains_clocks_start_and_input_lines():
    result = run_due_process("--help")
    assert result.returncode == 0
    for clock, _, _ in EVERY_CLOCK_FROM_FRIDAY_MARCH_6:
        assert clock in result.stdout
    for phrase in ("CLOCK START [urgent]", "fold=0", "23:59:59", "Exit status", 'holidays.US(subdiv="CA")'):
        assert phrase in result.stdout
