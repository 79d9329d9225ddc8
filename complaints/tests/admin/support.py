"""Reading admin pages as staff see them."""

import html
import re

QUEUE_URL = "/admin/complaints/case/"
_QUEUE_ROW = re.compile(r'<th class="field-number"><a href="[^"]+">(HC-\d{4}-\d{6})</a></th>')
_TAG = re.compile(r"<[^>]+>")


def queue_numbers(response) -> list[str]:
    """The case numbers in the queue, top to bottom."""
    assert response.status_code == 200, response.status_code
    return _QUEUE_ROW.findall(response.content.decode())


def page_text(response) -> str:
    """The visible text of a page, whitespace collapsed, without the admin's style and script."""
    content = response.content.decode()
    content = re.sub(r"<(style|script)\b.*?</\1>", " ", content, flags=re.S)
    return " ".join(html.unescape(_TAG.sub(" ", content)).split())


def case_url(case) -> str:
    return f"/admin/complaints/case/{case.pk}/change/"


def move_url(case, move: str) -> str:
    return f"/admin/complaints/case/{case.pk}/move/{move}/"


def form_names(response, move: str) -> list[str]:
    """The names of the inputs in the form of one move on the case page."""
    content = response.content.decode()
    match = re.search(rf'<form[^>]+id="move-{move}".*?</form>', content, flags=re.S)
    assert match, f"no form for {move}"
    names = re.findall(r'name="([^"]+)"', match.group(0))
    return [name for name in dict.fromkeys(names) if name not in ("csrfmiddlewaretoken", "recipient")]


def offered_moves(response) -> list[str]:
    return re.findall(r'<form[^>]+id="move-([a-z_]+)"', response.content.decode())
