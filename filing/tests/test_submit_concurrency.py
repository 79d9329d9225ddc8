"""Two submits of one application at the same moment (a double click on two devices) make one
case: the draft row lock makes the second wait, then find the case the first made."""

import threading

import pytest
from django.db import connection
from django.test import Client

from complaints.models import Case, Document
from complaints.tests.samples import PDF
from filing import services
from filing.models import FilingDraft
from filing.tests.answers import fill_draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_submits_at_once_make_one_case_with_each_file_once(enrollee, plan):
    client = Client()
    client.force_login(enrollee)
    draft = fill_draft(client, plan, upto="problem")
    services.draft_document_add(draft=draft, name="bill.pdf", data=PDF, kind=Document.Kind.BILL)
    client.post(f"/file/{draft.public_id}/documents/", {"action": "continue", "kind": "OTHER"})
    barrier = threading.Barrier(2)
    results = []

    def submit():
        try:
            barrier.wait(timeout=10)
            fresh = FilingDraft.objects.get(pk=draft.pk)
            results.append(
                services.draft_submit(
                    draft=fresh, actor=enrollee, signed_name="Rosa M Delgado", records_authorized=True, language="en"
                )
            )
        except Exception as error:  # collected and shown by the assertion below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, Case) for result in results), results
    assert results[0].pk == results[1].pk
    assert Case.objects.count() == 1
    assert Document.objects.filter(original_name="bill.pdf").count() == 1
