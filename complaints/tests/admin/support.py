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


ENTRY_URL = "/admin/complaints/case/add/"


def entry_post(*, token: str, plan, channel: str = "PHONE", received_at: str = "2026-11-02T08:30", **changes) -> dict:
    """A complete phone/mail/fax entry form as staff would send it; ``changes`` replace fields
    (None removes one)."""
    data = {
        "entry_token": token,
        "channel": channel,
        "received_at": received_at,
        "filer_relationship": "PATIENT",
        "patient_first_name": "Maria",
        "patient_last_name": "Lopez",
        "patient_gender": "FEMALE",
        "patient_birth_date": "1970-03-04",
        "patient_street": "1234 Elm Street",
        "patient_city": "Fresno",
        "patient_state": "CA",
        "patient_zip_code": "93721",
        "patient_phone": "559-555-0199",
        "patient_letter_language": "es",
        "health_plan": str(plan.pk) if plan is not None else "",
        "member_id": "BS-7781",
        "grievance_filed": "on",
        "grievance_filed_date": "2026-09-01",
        "plan_decided": "on",
        "plan_decision_date": "2026-09-20",
        "category": "TREATMENT_DENIED",
        "denial_reason": "MEDICAL_NECESSITY",
        "treatment_in_dispute": "Knee replacement surgery",
        "what_happened": "The plan said the surgery is not medically necessary.",
        "desired_outcome": "Approve the surgery.",
        "records_authorized": "on",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def errors_next_to(response, html_name: str) -> str:
    """The error messages shown with the form field named ``html_name`` (empty if none)."""
    pattern = (
        rf'<div class="field errors">\s*<label class="field-label" for="id_{re.escape(html_name)}">.*?</label>\s*'
        r'<ul class="errorlist"[^>]*>(.*?)</ul>'
    )
    match = re.search(pattern, response.content.decode(), flags=re.S)
    return " ".join(html.unescape(_TAG.sub(" ", match.group(1))).split()) if match else ""
