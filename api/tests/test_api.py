"""The public API: each filter, paging across inserts, errors as JSON, throttling, conditional
requests, CORS, the CSV, and statistics equal to the page's."""

import csv
import io

import pytest
from django.utils import timezone

from imr.models import DecisionSource, PublishedDecision
from imr.services import decision_publish
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild
from imr.tests.test_views import FILTERS, SAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample():
    for reference_id, values in SAMPLE.items():
        PublishedDecisionFactory(reference_id=reference_id, **values)
    tallies_rebuild()


def every_page(api, params: dict) -> list[dict]:
    """Follow the `next` links to the end; every decision of every page."""
    decisions, url, query = [], "/api/v1/decisions/", params
    while url:
        response = api.get(url, query)
        assert response.status_code == 200, response.json()
        body = response.json()
        decisions += body["results"]
        url, query = body["next"], None
    return decisions


@pytest.mark.usefixtures("sample")
def test_with_no_filter_every_decision_is_listed_newest_first(api):
    response = api.get("/api/v1/decisions/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["count"], body["count_exact"], body["next"]) == (5, True, None)
    assert [d["reference_id"] for d in body["results"]] == [
        "MN16-1004",
        "MN16-1005",
        "UR14-1003",
        "EI12-1002",
        "MN10-1001",
    ]
    knee = body["results"][-1]
    assert knee == {
        "reference_id": "MN10-1001",
        "report_year": 2010,
        "diagnosis_category": "Orthopedic",
        "diagnosis_subcategory": "Knee",
        "treatment_category": "Rehabilitation",
        "treatment_subcategory": "Physical Therapy",
        "determination": "OVERTURNED",
        "decision_type": "MEDICAL_NECESSITY",
        "imr_type": "STANDARD",
        "age_range": "AGE_41_50",
        "gender": "FEMALE",
        "days_to_review": None,
        "days_to_adopt": None,
        "findings": SAMPLE["MN10-1001"]["findings"],
        "source": "IMPORTED",
    }
    not_recorded = body["results"][1]
    assert (not_recorded["age_range"], not_recorded["gender"], not_recorded["imr_type"]) == (None, None, None)


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize(("params", "expected"), FILTERS, ids=[str(params) for params, _ in FILTERS])
def test_every_filter_narrows_the_list_the_statistics_and_the_csv(api, params, expected):
    body = api.get("/api/v1/decisions/", params).json()
    assert {d["reference_id"] for d in body["results"]} == expected
    assert body["count"] == len(expected)

    stats = api.get("/api/v1/statistics/", params).json()
    overturned = sum(1 for reference_id in expected if SAMPLE[reference_id]["determination"] == "OVERTURNED")
    assert (stats["overall"]["decisions"], stats["overall"]["overturned"]) == (len(expected), overturned)

    download = api.get("/api/v1/decisions.csv", params)
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == expected


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("params", [{}, *(params for params, _ in FILTERS)], ids=str)
def test_the_statistics_are_the_pages_figures(api, client, params):
    page = client.get("/decisions/stats/", params).context["stats"]
    figures = api.get("/api/v1/statistics/", params).json()

    def triples(rows):
        return [(row.label, row.decisions, row.overturned, float(row.share)) for row in rows]

    def api_triples(rows):
        return [(row["label"], row["decisions"], row["overturned"], row["overturned_share"]) for row in rows]

    assert api_triples([figures["overall"]]) == triples([page.overall])
    for group in ("by_year", "by_type", "by_imr_type", "by_diagnosis", "by_treatment"):
        assert api_triples(figures[group]) == triples(getattr(page, group)), group


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize("params", [{}, *(params for params, _ in FILTERS)], ids=str)
def test_the_csv_is_the_pages_download_byte_for_byte(api, client, params):
    page = client.get("/decisions/download/", params)
    assert page.status_code == 200
    api_csv = api.get("/api/v1/decisions.csv", params)
    assert b"".join(api_csv.streaming_content) == b"".join(page.streaming_content)


@pytest.mark.usefixtures("sample")
def test_the_statistics_name_each_group_by_its_stored_value(api):
    figures = api.get("/api/v1/statistics/").json()
    assert figures["overall"] == {
        "value": None,
        "label": "All decisions",
        "decisions": 5,
        "overturned": 3,
        "upheld": 2,
        "overturned_share": 60.0,
    }
    assert [(row["value"], row["label"]) for row in figures["by_type"]] == [
        ("MEDICAL_NECESSITY", "Medical necessity"),
        ("EXPERIMENTAL_INVESTIGATIONAL", "Experimental or investigational"),
        ("URGENT_CARE", "Urgent care"),
    ]
    assert [row["value"] for row in figures["by_year"]] == ["2010", "2012", "2014", "2016"]


def test_paging_is_stable_while_decisions_are_published(api):
    for number in range(7):
        PublishedDecisionFactory(reference_id=f"MN16-{2000 + number}", report_year=2016)
    for number in range(5):
        PublishedDecisionFactory(reference_id=f"MN14-{2000 + number}", report_year=2014)
    tallies_rebuild()
    first = api.get("/api/v1/decisions/", {"page_size": 4}).json()
    assert [d["reference_id"] for d in first["results"]] == [f"MN16-{2000 + n}" for n in range(4)]
    # Published between two pages: one before the position reached, one after it.
    decision_publish(
        reference_id="MN16-1000", report_year=2016, determination="UPHELD", decision_type="MEDICAL_NECESSITY"
    )
    decision_publish(
        reference_id="MN15-1000", report_year=2015, determination="UPHELD", decision_type="MEDICAL_NECESSITY"
    )
    rest = []
    url = first["next"]
    while url:
        body = api.get(url).json()
        rest += [d["reference_id"] for d in body["results"]]
        url = body["next"]
    assert rest == [
        "MN16-2004",
        "MN16-2005",
        "MN16-2006",
        "MN15-1000",
        *(f"MN14-{2000 + n}" for n in range(5)),
    ]


def test_the_oldest_first_order_is_the_exact_reverse(api):
    for number in range(6):
        PublishedDecisionFactory(reference_id=f"MN1{number}-3000", report_year=2010 + number)
        PublishedDecisionFactory(reference_id=f"EI1{number}-3000", report_year=2010 + number)
    tallies_rebuild()
    newest = [d["reference_id"] for d in every_page(api, {"page_size": 5})]
    oldest = [d["reference_id"] for d in every_page(api, {"page_size": 5, "ordering": "report_year"})]
    assert len(newest) == 12
    assert oldest == newest[::-1]


@pytest.mark.usefixtures("sample")
@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"year_from": "1999"}, "year_from", "greater than or equal to 2001"),
        ({"year_to": "3000"}, "year_to", "less than or equal to"),
        ({"year_from": "2015", "year_to": "2010"}, "year_to", "after year_from"),
        ({"year_from": "soon"}, "year_from", "valid integer"),
        ({"diagnosis_category": "Astrology"}, "diagnosis_category", "No published decision has"),
        ({"diagnosis_category": "Cancer", "diagnosis_subcategory": "Knee"}, "diagnosis_subcategory", "not a sub"),
        ({"determination": "MAYBE"}, "determination", "not a valid choice"),
        ({"gender": "female"}, "gender", "not a valid choice"),
        ({"page_size": "501"}, "page_size", "less than or equal to 500"),
        ({"page_size": "0"}, "page_size", "greater than or equal to 1"),
        ({"ordering": "findings"}, "ordering", "not a valid choice"),
        ({"cursor": "not-a-cursor"}, "cursor", "not one this API handed out"),
        ({"diagnosis": "Cancer"}, "diagnosis", "Unknown parameter"),
        ({"format": "csv"}, "format", "Unknown parameter"),
    ],
)
def test_a_bad_parameter_is_a_json_error_that_names_it(api, params, parameter, words):
    response = api.get("/api/v1/decisions/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"] == "One or more query parameters are not valid."
    assert words in " ".join(body["errors"][parameter])


@pytest.mark.usefixtures("sample")
def test_a_cursor_of_another_ordering_is_refused(api):
    first = api.get("/api/v1/decisions/", {"page_size": 2}).json()
    cursor = first["next"].split("cursor=")[1]
    response = api.get("/api/v1/decisions/", {"page_size": 2, "ordering": "report_year", "cursor": cursor})
    assert response.status_code == 400
    assert "another ordering" in response.json()["errors"]["cursor"][0]


def test_words_to_search_when_no_decision_has_findings_are_refused_not_dropped(api):
    PublishedDecisionFactory(findings="")
    tallies_rebuild()
    for path in ("/api/v1/decisions/", "/api/v1/statistics/", "/api/v1/decisions.csv"):
        response = api.get(path, {"q": "zzzxq"})
        assert response.status_code == 400, path
        assert "Text search is not available" in response.json()["errors"]["q"][0]
    assert api.get("/api/v1/filters/").json()["text_search"] is False


@pytest.mark.usefixtures("sample")
def test_one_decision_and_an_unknown_one(api):
    response = api.get("/api/v1/decisions/EI12-1002/")
    assert response.status_code == 200
    assert response.json()["findings"] == SAMPLE["EI12-1002"]["findings"]
    missing = api.get("/api/v1/decisions/EI12-9999/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No published decision has this reference ID."}


def test_unknown_addresses_and_methods_answer_json(api):
    response = api.get("/api/v1/nothing-here/")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert "no such address" in response.json()["detail"]
    for method in (api.post, api.put, api.delete, api.patch):
        response = method("/api/v1/decisions/")
        assert response.status_code == 405
        assert response.json()["detail"].startswith("Method")


@pytest.mark.usefixtures("sample")
def test_the_filters_are_the_values_in_the_data(api):
    options = api.get("/api/v1/filters/").json()
    assert options["years"] == [2010, 2012, 2014, 2016]
    assert {"category": "Cancer", "subcategories": ["Breast", "Lung"]} in options["diagnoses"]
    assert options["genders"] == ["FEMALE", "MALE", "OTHER"]
    assert options["text_search"] is True


@pytest.mark.usefixtures("sample")
def test_a_client_over_its_budget_gets_429_with_retry_after(api, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    assert [api.get("/api/v1/filters/").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/api/v1/decisions/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]
    # Another address has its own budget.
    assert api.get("/api/v1/decisions/", REMOTE_ADDR="10.99.99.99").status_code == 200


@pytest.mark.usefixtures("sample")
def test_a_forged_forwarded_for_header_does_not_buy_a_new_budget(api, settings):
    settings.API_THROTTLE_RATE = "2/minute"
    settings.TRUSTED_PROXIES = []
    answers = [api.get("/api/v1/filters/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.usefixtures("sample")
def test_behind_a_trusted_proxy_each_client_the_proxy_saw_has_its_own_budget(api, settings):
    settings.API_THROTTLE_RATE = "1/minute"
    proxy = api.defaults["REMOTE_ADDR"]
    settings.TRUSTED_PROXIES = [proxy]
    first = api.get("/api/v1/filters/", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = api.get("/api/v1/filters/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = api.get("/api/v1/filters/", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert [first.status_code, second.status_code, again.status_code] == [200, 200, 429]


@pytest.mark.usefixtures("sample")
def test_a_repeat_request_is_answered_304_until_the_decisions_change(api):
    first = api.get("/api/v1/statistics/", {"decision_type": "MEDICAL_NECESSITY"})
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag
    assert modified
    assert "max-age=60" in first["Cache-Control"]

    again = api.get("/api/v1/statistics/", {"decision_type": "MEDICAL_NECESSITY"}, HTTP_IF_NONE_MATCH=etag)
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    since = api.get("/api/v1/statistics/", {"decision_type": "MEDICAL_NECESSITY"}, HTTP_IF_MODIFIED_SINCE=modified)
    assert since.status_code == 304
    # Another filter is another answer.
    other = api.get("/api/v1/statistics/", {"decision_type": "URGENT_CARE"}, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200

    decision_publish(
        reference_id="MN26-P0001",
        report_year=timezone.localdate().year,
        determination="UPHELD",
        decision_type="MEDICAL_NECESSITY",
    )
    changed = api.get("/api/v1/statistics/", {"decision_type": "MEDICAL_NECESSITY"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["overall"]["decisions"] == 4


@pytest.mark.usefixtures("sample")
def test_an_error_carries_no_etag(api):
    response = api.get("/api/v1/decisions/", {"year_from": "1999"})
    assert response.status_code == 400
    assert not response.has_header("ETag")


@pytest.mark.usefixtures("sample")
def test_any_site_may_read_the_api_but_only_with_get(api):
    response = api.get("/api/v1/decisions/", HTTP_ORIGIN="https://research.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in response
    preflight = api.options(
        "/api/v1/decisions/",
        HTTP_ORIGIN="https://research.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="DELETE",
    )
    allowed = {method.strip() for method in preflight["Access-Control-Allow-Methods"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}
    # The pages are not opened to other sites.
    page = api.get("/decisions/", HTTP_ORIGIN="https://research.example.org")
    assert "Access-Control-Allow-Origin" not in page


def test_the_csv_quotes_findings_with_commas_quotes_and_newlines(api, tmp_path):
    tricky = 'Therapy, "as requested",\nwas needed;\r\nsee "x, y".'
    PublishedDecisionFactory(reference_id="MN16-7001", findings=tricky)
    PublishedDecisionFactory(reference_id="MN16-7002", findings="-2+3 looks like a formula")
    tallies_rebuild()
    response = api.get("/api/v1/decisions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffReferenceID,")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text.removeprefix("\ufeff")))}
    assert rows["MN16-7001"][-1] == tricky
    assert rows["MN16-7002"][-1] == "'-2+3 looks like a formula"


def test_a_portal_decision_is_listed_with_its_source(api):
    decision_publish(
        reference_id="UR26-PABCDEFGHJK",
        report_year=timezone.localdate().year,
        determination="OVERTURNED",
        decision_type="URGENT_CARE",
    )
    body = api.get("/api/v1/decisions/").json()
    assert [(d["reference_id"], d["source"]) for d in body["results"]] == [("UR26-PABCDEFGHJK", "PORTAL")]
    assert PublishedDecision.objects.get().source == DecisionSource.PORTAL


def test_answers_are_in_english_whatever_the_browser_asks(api, sample):
    figures = api.get("/api/v1/statistics/", HTTP_ACCEPT_LANGUAGE="es").json()
    assert figures["overall"]["label"] == "All decisions"
    assert figures["by_type"][0]["label"] == "Medical necessity"


def test_the_schema_and_the_docs_page(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = set(schema.json()["paths"])
    assert paths == {
        "/api/v1/decisions/",
        "/api/v1/decisions.csv",
        "/api/v1/decisions/{reference_id}/",
        "/api/v1/statistics/",
        "/api/v1/filters/",
    }
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.text
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html
    assert "//cdn" not in html
    policy = docs["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    script = api.get("/api/v1/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.text
