"""The counts the security tests report (access matrix, upload corpus, fuzzing, check --deploy),
shown together at the end of every test run by ``helpcenter/tests/conftest.py``."""

LINES: list[str] = []


def report(line: str) -> None:
    print(line)
    LINES.append(line)
