"""The contact page: the Help Center's facts, and an e-mail form that keeps spam out without a
captcha service (a hidden box, a minimum fill time, and a limit per connection)."""

import time

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache

from helpcenter.forms import LIMIT_PER_HOUR, MIN_FILL_SECONDS, started_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "contact"}}
    cache.clear()


def question(**overrides) -> dict:
    data = {
        "name": "Ana",
        "email": "ana@example.test",
        "message": "Do you help with dental plans?",
        "website": "",
        "started": started_token(time.time() - 30),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_the_page_gives_phone_tdd_fax_and_address(client, prefix):
    page = client.get(f"{prefix}/contact/").text
    for fact in ("1-888-466-2219", "1-877-688-9891", "916-255-5241", "980 Ninth Street, Suite 500", "95814-2725"):
        assert fact in page


def test_a_question_reaches_the_help_center_with_a_reply_address(client, settings):
    response = client.post("/contact/", question())
    assert response["Location"] == "/contact/"
    assert "Your question was sent." in client.get("/contact/").text
    message = mail.outbox[0]
    assert message.to == settings.CONTACT_FORM_TO
    assert message.reply_to == ["ana@example.test"]
    assert "Do you help with dental plans?" in message.body


def test_a_filled_hidden_box_looks_sent_but_sends_nothing(client):
    response = client.post("/contact/", question(website="http://spam.example"))
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_form_sent_faster_than_a_person_can_type_sends_nothing(client):
    response = client.post("/contact/", question(started=started_token(time.time() - MIN_FILL_SECONDS + 2)))
    assert response.status_code == 302
    assert mail.outbox == []


def test_a_forged_or_stale_start_time_asks_to_send_again(client):
    forged = client.post("/contact/", question(started="12345:forged"))
    assert "This form was open too long." in forged.text
    with time_machine.travel(time.time() - 2 * 24 * 3600):
        old = started_token()
    stale = client.post("/contact/", question(started=old))
    assert "This form was open too long." in stale.text
    assert mail.outbox == []


def test_one_connection_can_send_only_a_few_questions_an_hour(client):
    for _ in range(LIMIT_PER_HOUR):
        assert client.post("/contact/", question()).status_code == 302
    refused = client.post("/contact/", question())
    assert refused.status_code == 200
    assert "several messages in the last hour" in refused.text
    assert len(mail.outbox) == LIMIT_PER_HOUR


def test_mistakes_are_listed_above_the_form_in_spanish(client):
    page = client.post("/es/contact/", question(email="ana@", message="")).text
    assert page.index("Hay un problema") < page.index("<h1>")
    assert 'href="#id_email"' in page
    assert 'href="#id_message"' in page
