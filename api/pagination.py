"""The list's cursor: an opaque, URL-safe position (order, report year, reference ID).

A cursor names the last decision of a page, not a row number, so decisions published while a
reader pages through never shift a page: nothing is shown twice or skipped (keyset paging,
imr.selectors.decisions_after).
"""

import base64
import binascii
import json

from imr.models import FIRST_REPORT_YEAR
from imr.selectors import DECISION_ORDERS


class BadCursor(ValueError):
    pass


def cursor_encode(*, order: str, report_year: int, reference_id: str) -> str:
    raw = json.dumps([order, report_year, reference_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str, *, order: str) -> tuple[int, str]:
    """The position in ``cursor``; raises BadCursor for anything this API did not hand out for
    this order."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_order, year, reference_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor("This cursor is not one this API handed out. Start again without it.") from None
    if cursor_order not in DECISION_ORDERS or type(year) is not int or not isinstance(reference_id, str):
        raise BadCursor("This cursor is not one this API handed out. Start again without it.")
    if cursor_order != order:
        raise BadCursor("This cursor belongs to another ordering. Keep the ordering of the first page.")
    if not FIRST_REPORT_YEAR <= year <= 9999 or not 0 < len(reference_id) <= 32:
        raise BadCursor("This cursor is not one this API handed out. Start again without it.")
    return year, reference_id
