"""Domain errors of the case. Views and admin turn them into form errors or 4xx answers."""


class CaseError(Exception):
    """Base class: a request about a case that the rules do not allow."""

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class MoveRefused(CaseError):
    """The move is not allowed now: wrong status, a guard does not hold, or input is missing."""


class NotPermitted(CaseError):
    """The person asking may not do this to this case."""
