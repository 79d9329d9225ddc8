"""Searching the work queue: what one word finds (a case number, an e-mail address, a member ID,
the start of a first or last name, case ignored), what it must not find, and, on PostgreSQL, that
the planner can answer each search and the "All cases" sort from the indexes made for them
instead of reading every case or patient."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from complaints.tests.drive import drive
from complaints.tests.factories import file_case, patient_data

from .conftest import signed_in
from .support import QUEUE_URL, queue_numbers

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    """Four patients whose names and member IDs overlap in the ways a search can go wrong."""
    return {
        "ana": file_case(
            patient=patient_data(first_name="Ana", last_name="Quintero", email="Ana.Q@example.test"),
            member_id="QX-4471",
        ),
        "anabel": file_case(
            patient=patient_data(first_name="Anabel", last_name="Okafor", email="anabel@example.test"),
            member_id="M-2002",
        ),
        # Her member ID is another patient's surname: one word finds both.
        "bea": file_case(
            patient=patient_data(first_name="Bea", last_name="Nakamura", email="bea@example.test"),
            member_id="Quintero",
        ),
        "dan": file_case(
            patient=patient_data(first_name="Dan", last_name="Mc_Intosh", email="dan@example.test"),
            member_id="M-3003",
        ),
    }


def _found(client, term: str, **query) -> set[str]:
    return set(queue_numbers(client.get(QUEUE_URL, {"q": term, **query})))


def test_names_are_found_by_their_start_in_any_case_and_never_by_their_middle(supervisor, book):
    client = signed_in(supervisor)
    number = {key: case.number for key, case in book.items()}
    assert _found(client, "okafor") == {number["anabel"]}
    assert _found(client, "OKA") == {number["anabel"]}
    assert _found(client, "nAkAmUrA") == {number["bea"]}
    assert _found(client, "ana") == {number["ana"], number["anabel"]}  # first names, by their start
    assert _found(client, "anab") == {number["anabel"]}
    assert _found(client, "kafor") == set()  # the middle of a name is not its start
    assert _found(client, "Okaforr") == set()
    assert _found(client, "Ana Okafor") == {number["anabel"]}  # every word must match


def test_a_member_id_is_found_exactly_in_any_case_together_with_names_that_start_so(supervisor, book):
    client = signed_in(supervisor)
    number = {key: case.number for key, case in book.items()}
    assert _found(client, "qx-4471") == {number["ana"]}
    assert _found(client, "QX-4471") == {number["ana"]}
    assert _found(client, "QX-447") == set()  # a member ID matches whole, not by its start
    assert _found(client, "X-4471") == set()
    # One patient's surname is another's member ID: the word finds both cases, each once.
    assert queue_numbers(client.get(QUEUE_URL, {"q": "quintero"})).count(number["ana"]) == 1
    assert _found(client, "quintero") == {number["ana"], number["bea"]}


def test_wildcards_typed_in_the_box_are_plain_characters(supervisor, book):
    client = signed_in(supervisor)
    assert _found(client, "%") == set()
    assert _found(client, "_") == set()
    assert _found(client, "Q_intero") == set()
    assert _found(client, "mc_int") == {book["dan"].number}


def test_email_and_case_number_are_found_exactly_in_any_case(supervisor, book):
    client = signed_in(supervisor)
    ana = book["ana"].number
    assert _found(client, "ana.q@EXAMPLE.test") == {ana}
    assert _found(client, "ana.q@example") == set()
    assert _found(client, "q@example.test") == set()
    assert _found(client, ana.lower()) == {ana}
    assert _found(client, ana[:-1]) == set()


def test_a_closed_case_is_found_only_among_all_cases(supervisor):
    closed = drive(file_case(patient=patient_data(first_name="Ola", last_name="Zielinski")), ["withdraw"])
    client = signed_in(supervisor)
    assert _found(client, "zielinski") == set()
    assert _found(client, "zielinski", status="ALL") == {closed.number}


def test_a_searched_page_runs_the_search_twice_not_once_per_query(supervisor, book):
    """The count and the page's keys need the search; the rows of the page are read by key."""
    client = signed_in(supervisor)
    client.get(QUEUE_URL)  # the session and caches settle on the first request
    with CaptureQueriesContext(connection) as captured:
        assert queue_numbers(client.get(QUEUE_URL, {"q": "okafor"})) == [book["anabel"].number]
    searching = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith("SELECT") and "okafor" in query["sql"].lower()
    ]
    assert len(searching) == 2, searching


# ------------------------------------------------------------------------------------------------
# The plans, on PostgreSQL
# ------------------------------------------------------------------------------------------------
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no query planner settings to steer with, and answers LIKE from no expression index",
)


def _queue_plans(client, query: dict, *, sort: bool = True) -> list[str]:
    """EXPLAIN of each query the queue page makes on the cases, with sequential scans (and, with
    ``sort=False``, sorting the rows read) made the planner's last resort, so that an index that
    can serve the query shows in its plan even for the few rows of a test."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE_URL, query)
    assert response.status_code == 200
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_case")
        cursor.execute("ANALYZE complaints_patient")
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        for sql in (query["sql"] for query in captured.captured_queries):
            if sql.startswith("SELECT") and "complaints_case" in sql:
                cursor.execute(f"EXPLAIN {sql}")
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def _plan_reading(plans: list[str], *indexes: str) -> str:
    """The first plan that reads all these indexes."""
    for plan in plans:
        if all(f" {index} " in plan for index in indexes):
            return plan
    raise AssertionError(f"no query of the page reads {', '.join(indexes)}:\n\n" + "\n\n".join(plans))


@postgresql_only
def test_the_planner_can_answer_a_name_or_member_id_search_from_the_search_indexes(supervisor, book):
    client = signed_in(supervisor)
    client.get(QUEUE_URL)
    plans = _queue_plans(client, {"q": "Okafor"})
    # The three parts of the search each read their index, the names from the index alone (the
    # patients' rows are not read): in the count and in the page's keys.
    plan = _plan_reading(plans, "case_member_id_upper", "patient_last_name_upper", "patient_first_name_upper")
    assert "Index Only Scan using patient_last_name_upper" in plan, plan
    assert "Index Only Scan using patient_first_name_upper" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert sum(" patient_last_name_upper " in plan for plan in plans) == 2, plans


@postgresql_only
def test_the_planner_can_answer_an_email_search_from_its_index(supervisor, book):
    client = signed_in(supervisor)
    client.get(QUEUE_URL)
    plan = _plan_reading(_queue_plans(client, {"q": "ANA.Q@example.test"}), "patient_email_upper")
    assert "Seq Scan" not in plan, plan


@postgresql_only
def test_the_planner_can_sort_all_cases_and_the_open_queue_from_their_indexes(supervisor, book):
    client = signed_in(supervisor)
    client.get(QUEUE_URL)
    all_cases = _plan_reading(_queue_plans(client, {"status": "ALL"}, sort=False), "case_queue_all")
    assert "Seq Scan" not in all_cases, all_cases
    open_queue = _plan_reading(_queue_plans(client, {}, sort=False), "case_queue_open")
    assert "Seq Scan" not in open_queue, open_queue
