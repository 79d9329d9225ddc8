"""The shipped DMHC file, imported once for this module: the pages show what the file really holds.

The expected figures are those of data/imr/SOURCE.md (counted there independently of this code).
"""

import re

import pytest

from imr.models import DecisionTally, PublishedDecision
from imr.services import SHIPPED_DECISIONS_FILE, decision_tallies_rebuild, decisions_import_file

ROWS_PER_YEAR = {
    2001: 536, 2002: 691, 2003: 739, 2004: 778, 2005: 965, 2006: 1082, 2007: 1343, 2008: 1519,
    2009: 1441, 2010: 1442, 2011: 1445, 2012: 1205, 2013: 1221, 2014: 1432, 2015: 2082, 2016: 1307,
}  # fmt: skip
# Type: (decisions, share overturned to one decimal), from SOURCE.md.
TYPES = {
    "Medical necessity": (13572, "45.6"),
    "Experimental or investigational": (5166, "39.9"),
    "Urgent care": (490, "41.6"),
}


@pytest.fixture(scope="module")
def shipped(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        summary = decisions_import_file(path=SHIPPED_DECISIONS_FILE)
        yield summary
        PublishedDecision.objects.all().delete()
        decision_tallies_rebuild()  # empties the tallies and the stored filter options


def table_rows(page: str, heading: str) -> dict[str, list[str]]:
    """The rows of the table in the section headed ``heading``: label -> the other cells."""
    section = page[page.index(f">{heading}</h2>") :]
    table = section[section.index("<tbody>") : section.index("</tbody>")]
    rows = {}
    for label, cells in re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', table):
        rows[label] = re.findall(r"<td>([^<]*)</td>", cells)
    return rows


@pytest.mark.django_db
def test_the_shipped_file_imports_every_row(shipped):
    assert (shipped.rows_read, shipped.created, shipped.updated, shipped.skipped) == (19228, 19228, 0, [])
    assert PublishedDecision.objects.count() == 19228
    assert sum(DecisionTally.objects.values_list("decisions", flat=True)) == 19228


@pytest.mark.django_db
def test_importing_it_again_changes_nothing(shipped):
    again = decisions_import_file(path=SHIPPED_DECISIONS_FILE)
    assert (again.rows_read, again.created, again.updated, again.unchanged, again.skipped) == (19228, 0, 0, 19228, [])


@pytest.mark.django_db
def test_the_stats_page_shows_the_overturned_share_the_file_really_has(shipped, client):
    page = client.get("/decisions/stats/").text
    assert '<p class="overall-share"><strong>43.96%</strong>' in page
    assert "8,452 of 19,228 decisions." in page

    by_type = table_rows(page, "By type of review")
    for label, (decisions, share) in TYPES.items():
        total, _overturned, shown_share = by_type[label]
        assert int(total.replace(",", "")) == decisions
        assert f"{float(shown_share.rstrip('%')):.1f}" == share

    by_year = table_rows(page, "By report year")
    assert {int(year): int(cells[0].replace(",", "")) for year, cells in by_year.items()} == ROWS_PER_YEAR


@pytest.mark.django_db
def test_the_yearly_shares_match_a_count_straight_from_the_file(shipped, client):
    import csv

    counts: dict[str, list[int]] = {}
    with SHIPPED_DECISIONS_FILE.open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            year = counts.setdefault(row["Report Year"], [0, 0])
            year[0] += 1
            year[1] += row["Determination"].startswith("Overturned")
    by_year = table_rows(client.get("/decisions/stats/").text, "By report year")
    for year, (total, overturned) in counts.items():
        assert by_year[year][1] == f"{overturned:,}"
        assert by_year[year][2] == f"{100 * overturned / total:.2f}%"


@pytest.mark.django_db
def test_the_stats_follow_the_filters(shipped, client):
    page = client.get("/decisions/stats/", {"decision_type": "URGENT_CARE"}).text
    assert "204 of 490 decisions." in page
    page = client.get("/decisions/stats/", {"year_from": "2015", "year_to": "2016"}).text
    assert f"of {2082 + 1307:,} decisions." in page


@pytest.mark.django_db
def test_the_search_narrows_the_real_data(shipped, client):
    everything = client.get("/decisions/").text
    assert "19,228 decisions match." in everything
    hepatitis = client.get("/decisions/", {"diagnosis_category": "Infectious", "diagnosis_subcategory": "Hepatitis"})
    count = int(re.search(r"([\d,]+) decisions match", hepatitis.text).group(1).replace(",", ""))
    assert 0 < count < 19228
    assert (
        count
        == PublishedDecision.objects.filter(diagnosis_category="Infectious", diagnosis_subcategory="Hepatitis").count()
    )
    narrow = {
        "diagnosis_subcategory": "Hepatitis",
        "year_from": "2016",
        "age_range": "AGE_41_50",
        "gender": "MALE",
        "determination": "OVERTURNED",
    }
    assert "MN16-22639" in client.get("/decisions/", narrow).text
