"""Public pages of published IMR decisions: search, one decision, statistics, CSV download."""

from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from imr import charts, selectors
from imr.export import decisions_csv_lines
from imr.forms import DecisionSearchForm
from imr.models import PublishedDecision

PAGE_SIZE = 20
# Paging stops here (10,000 decisions); the CSV download has every match.
MAX_PAGES = 500


def _search_form(request) -> DecisionSearchForm:
    data = request.GET.copy()
    data.pop("page", None)
    return DecisionSearchForm(data or None, facets=selectors.decision_facets())


def _page_number(request, last_page: int) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), last_page)


def _page_links(current: int, last: int) -> list[int | None]:
    """Page numbers to offer: the first, the last and two either side of the current (None = gap)."""
    wanted = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    links: list[int | None] = []
    for number in wanted:
        if links and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links


@require_GET
def decision_list(request):
    form = _search_form(request)
    context = {"form": form, "query": _query_string(form)}
    if form.is_bound and not form.is_valid():
        return render(request, "imr/decisions/list.html", context)
    filters = form.filters()
    count = selectors.decisions_count(filters)
    total = count.number
    last_page = max(1, min(MAX_PAGES, -(-total // PAGE_SIZE)))
    page = _page_number(request, last_page)
    start = (page - 1) * PAGE_SIZE
    context.update(
        total=total,
        more=count.more,
        decisions=list(selectors.decisions_matching(filters)[start : start + PAGE_SIZE]) if total else [],
        page=page,
        last_page=last_page,
        page_links=_page_links(page, last_page),
        first_shown=start + 1,
        last_shown=min(start + PAGE_SIZE, total),
        paging_capped=total > MAX_PAGES * PAGE_SIZE,
        max_paged=MAX_PAGES * PAGE_SIZE,
        filtered=form.is_filtered(),
    )
    return render(request, "imr/decisions/list.html", context)


@require_GET
def decision_detail(request, reference_id: str):
    try:
        decision = selectors.decision_get(reference_id=reference_id)
    except PublishedDecision.DoesNotExist:
        raise Http404(_("There is no published decision with this reference ID.")) from None
    return render(request, "imr/decisions/detail.html", {"decision": decision})


@require_GET
def decision_stats(request):
    form = _search_form(request)
    context = {"form": form, "query": _query_string(form)}
    if form.is_bound and not form.is_valid():
        return render(request, "imr/decisions/stats.html", context)
    filters = form.filters()
    stats = selectors.decision_stats(filters)
    medians = selectors.decision_median_days(filters)
    sections = [
        ("year", _("By report year"), _("Report year"), stats.by_year),
        ("type", _("By type of review"), _("Type of review"), stats.by_type),
        ("imr-type", _("By IMR type (standard or expedited)"), _("IMR type"), stats.by_imr_type),
        ("diagnosis", _("By diagnosis category"), _("Diagnosis category"), stats.by_diagnosis),
        ("treatment", _("By treatment category"), _("Treatment category"), stats.by_treatment),
    ]
    context.update(
        stats=stats,
        median_review=medians and medians["REVIEW"],
        median_adopt=medians and medians["ADOPT"],
        filtered=form.is_filtered(),
        sections=[
            {
                "id": f"chart-{key}",
                "heading": heading,
                "group_label": group_label,
                "rows": rows,
                "chart": charts.share_bar_chart(
                    chart_id=f"chart-{key}",
                    title=_("%(heading)s: share of decisions that overturned the plan's decision")
                    % {"heading": heading},
                    rows=rows,
                ),
            }
            for key, heading, group_label, rows in sections
            if rows
        ],
    )
    return render(request, "imr/decisions/stats.html", context)


@require_GET
def decisions_download(request):
    """The decisions that match the filters, as CSV in the shape of DMHC's newer file."""
    form = _search_form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_("The search has a mistake; correct it on the search page first."))
    response = StreamingHttpResponse(decisions_csv_lines(form.filters()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="imr-decisions.csv"'
    return response


def _query_string(form: DecisionSearchForm) -> str:
    """The current filters as a query string, for the page links, the CSV link and the stats link."""
    if not form.is_bound:
        return ""
    data = form.data.copy()
    for key in [key for key, value in data.items() if not value]:
        del data[key]
    return data.urlencode()
