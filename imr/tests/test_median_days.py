"""The statistics page's median days to review and to adopt: exact, from the kept counts, the
same on the page and in the API, in step with each publication."""

import pytest
from django.core.cache import cache

from imr.models import DecisionType, Determination
from imr.selectors import DecisionFilters, decision_median_days
from imr.selectors.stats import _median
from imr.services import decision_publish
from imr.tests.factories import PublishedDecisionFactory, tallies_rebuild

pytestmark = pytest.mark.django_db


def test_the_median_of_a_histogram():
    assert _median([]).median is None
    assert _median([(10, 1)]).median == 10
    assert _median([(10, 1), (20, 1)]).median == 15
    assert _median([(3, 2), (7, 1), (40, 1)]).median == 5  # 3 3 7 40
    assert _median([(3, 2), (7, 1), (40, 2)]).median == 7  # 3 3 7 40 40
    assert _median([(1, 1), (2, 1)]).decisions == 2


@pytest.fixture
def timed():
    for days, adopt, year in ((10, 2, 2015), (20, None, 2015), (30, 4, 2016), (41, 5, 2016)):
        PublishedDecisionFactory(days_to_review=days, days_to_adopt=adopt, report_year=year)
    PublishedDecisionFactory(days_to_review=None, report_year=2016)
    tallies_rebuild()


@pytest.mark.usefixtures("timed")
def test_the_medians_are_exact_for_the_filters():
    everything = decision_median_days(DecisionFilters())
    assert (everything["REVIEW"].median, everything["REVIEW"].decisions) == (25, 4)
    assert (everything["ADOPT"].median, everything["ADOPT"].decisions) == (4, 3)
    recent = decision_median_days(DecisionFilters(year_from=2016))
    assert (recent["REVIEW"].median, recent["ADOPT"].median) == (35.5, 4.5)
    assert decision_median_days(DecisionFilters(text="therapy")) is None


@pytest.mark.usefixtures("timed")
@pytest.mark.parametrize(
    ("prefix", "words"),
    [("", ["Median days to review", "25.0 days (from the 4 decisions"]), ("/es", ["Mediana de días", "25,0 días"])],
)
def test_the_page_and_the_api_show_the_same_medians(client, prefix, words):
    page = client.get(f"{prefix}/decisions/stats/").text
    for expected in words:
        assert expected in page
    cache.clear()
    api = client.get("/api/v1/statistics/", REMOTE_ADDR="10.9.8.7").json()["median_days"]
    assert api == {"review": {"median": 25.0, "decisions": 4}, "adopt": {"median": 4.0, "decisions": 3}}


def test_without_days_in_the_data_nothing_is_said(client):
    PublishedDecisionFactory()
    tallies_rebuild()
    assert "Median days" not in client.get("/decisions/stats/").text


@pytest.mark.usefixtures("timed")
def test_each_publication_and_correction_keeps_them_exact():
    facts = {
        "report_year": 2016,
        "determination": Determination.UPHELD,
        "decision_type": DecisionType.MEDICAL_NECESSITY,
        "diagnosis_category": "Orthopedic",
        "diagnosis_subcategory": "Knee",
        "treatment_category": "Rehabilitation",
        "treatment_subcategory": "Physical Therapy",
    }
    decision_publish(reference_id="MN16-P0001", days_to_review=50, **facts)
    assert decision_median_days(DecisionFilters())["REVIEW"].median == 30
    decision_publish(reference_id="MN16-P0001", days_to_review=1, **facts)
    assert decision_median_days(DecisionFilters())["REVIEW"].median == 20
    tallies_rebuild()  # the recount agrees with the kept counts
    assert decision_median_days(DecisionFilters())["REVIEW"].median == 20
