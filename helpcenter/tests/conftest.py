from helpcenter.tests import counts


def pytest_terminal_summary(terminalreporter):
    # The security tests' counts, shown whether or not output is captured.
    if counts.LINES:
        terminalreporter.section("security checks")
        for line in counts.LINES:
            terminalreporter.line(line)
