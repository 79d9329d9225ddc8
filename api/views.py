"""The public, read-only API (version 1) over the published IMR decisions.

Every view reads through imr.selectors, the same functions as the pages /decisions/ and
/decisions/stats/, so the API and the pages can never count differently. Anonymous and
read-only: GET, HEAD and OPTIONS only, no session, no cookie, throttled per client (429 with
Retry-After). Answers are in English whatever the Accept-Language, so they can be cached, and
carry an ETag and Last-Modified from the time the published decisions last changed: a repeat
with If-None-Match or If-Modified-Since gets 304 without touching the decisions.
"""

import hashlib

from django.http import StreamingHttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import BadCursor, cursor_decode, cursor_encode
from api.params import DecisionFilterParams, DecisionListParams
from api.serializers import (
    DecisionPageSerializer,
    DecisionSerializer,
    ErrorSerializer,
    FilterOptionsSerializer,
    StatisticsSerializer,
)
from api.throttling import PerClientThrottle
from imr import selectors
from imr.export import decisions_csv_lines
from imr.models import DecisionType, Determination, PublishedDecision

CACHE_SECONDS = 60
STAT_GROUP_NAMES = ("by_year", "by_type", "by_imr_type", "by_diagnosis", "by_treatment")

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A query parameter is not valid (see `errors`)."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; wait the seconds in Retry-After."),
}
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified since the ETag or date you sent.")}


class PublicApiView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PerClientThrottle]
    renderer_classes = [JSONRenderer]
    http_method_names = ["get", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)

    def check_params(self, params_class, **extra):
        """The validated query; an unknown parameter is refused too (a misspelt filter would
        otherwise be ignored, and the answer look like the filtered one)."""
        params = params_class(data=self.request.query_params, facets=selectors.decision_facets(), **extra)
        unknown = sorted(set(self.request.query_params) - set(params.fields))
        if unknown:
            message = "Unknown parameter. The parameters of this endpoint are in /api/v1/schema/."
            raise exceptions.ValidationError({name: [message] for name in unknown})
        empty = sorted(name for name, values in self.request.query_params.lists() if "" in values)
        if empty:
            message = "Give a value, or leave the parameter out."
            raise exceptions.ValidationError({name: [message] for name in empty})
        params.is_valid(raise_exception=True)
        return params

    def conditional(self, request, respond):
        """Answer 304 if the client's copy is current; otherwise ``respond()``, with validators."""
        version = selectors.decisions_version()
        if version is None:
            return respond()
        identity = f"{version.isoformat()} {request.get_full_path()}"
        etag = '"' + hashlib.sha256(identity.encode()).hexdigest()[:32] + '"'
        last_modified = int(version.timestamp())
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = respond()
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response


class DecisionList(PublicApiView):
    @extend_schema(
        operation_id="decisions_list",
        summary="Search the published decisions",
        parameters=[DecisionListParams],
        responses={200: DecisionPageSerializer, **NOT_MODIFIED, **ERRORS},
    )
    def get(self, request):
        params = self.check_params(DecisionListParams)
        order = params.validated_data["ordering"]
        after = None
        if "cursor" in params.validated_data:
            try:
                after = cursor_decode(params.validated_data["cursor"], order=order)
            except BadCursor as bad:
                raise exceptions.ValidationError({"cursor": [str(bad)]}) from None
        return self.conditional(request, lambda: self._page(request, params, order, after))

    def _page(self, request, params, order, after):
        filters = params.filters()
        size = params.validated_data["page_size"]
        decisions = selectors.decisions_after(filters, order=order, after=after, limit=size + 1)
        next_url = None
        if len(decisions) > size:
            decisions = decisions[:size]
            last = decisions[-1]
            query = request.query_params.copy()
            query["cursor"] = cursor_encode(order=order, report_year=last.report_year, reference_id=last.reference_id)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        count = selectors.decisions_count(filters)
        return Response(
            {
                "count": count.number,
                "count_exact": not count.more,
                "next": next_url,
                "results": DecisionSerializer(decisions, many=True).data,
            }
        )


class DecisionDetail(PublicApiView):
    @extend_schema(
        operation_id="decisions_retrieve",
        summary="One published decision",
        parameters=[
            OpenApiParameter(
                "reference_id",
                {"type": "string", "pattern": "^[A-Za-z0-9-]{1,32}$"},
                OpenApiParameter.PATH,
                description="The decision's reference ID (letters, digits and hyphens), e.g. MN16-22639.",
            )
        ],
        responses={
            200: DecisionSerializer,
            **NOT_MODIFIED,
            404: OpenApiResponse(ErrorSerializer, description="No published decision has this reference ID."),
            429: ERRORS[429],
        },
    )
    def get(self, request, reference_id: str):
        if request.query_params:
            self.check_params(_NoParams)
        try:
            decision = selectors.decision_get(reference_id=reference_id)
        except PublishedDecision.DoesNotExist:
            raise exceptions.NotFound("No published decision has this reference ID.") from None
        return self.conditional(request, lambda: Response(DecisionSerializer(decision).data))


class Statistics(PublicApiView):
    @extend_schema(
        operation_id="statistics_retrieve",
        summary="How often the plan's decision was overturned",
        description=(
            "The figures of /decisions/stats/ for the same filters: overall and by report year, type of "
            "review, IMR type, diagnosis category and treatment category."
        ),
        parameters=[DecisionFilterParams],
        responses={200: StatisticsSerializer, **NOT_MODIFIED, **ERRORS},
    )
    def get(self, request):
        params = self.check_params(DecisionFilterParams)

        def respond():
            filters = params.filters()
            stats = selectors.decision_stats(filters)
            figures = {name: getattr(stats, name) for name in ("overall", *STAT_GROUP_NAMES)}
            figures["median_days"] = selectors.decision_median_days(filters)
            return Response(StatisticsSerializer(figures).data)

        return self.conditional(request, respond)


class DecisionsCsv(PublicApiView):
    @extend_schema(
        operation_id="decisions_csv",
        summary="Every matching decision as CSV",
        description=(
            "Streamed, in the columns and wordings of DMHC's newer file (ReferenceID ... Findings), with a "
            "UTF-8 byte-order mark. A cell a spreadsheet would run as a formula starts with an apostrophe."
        ),
        parameters=[DecisionFilterParams],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The CSV file."),
            **NOT_MODIFIED,
            **ERRORS,
        },
    )
    def get(self, request):
        params = self.check_params(DecisionFilterParams)

        def respond():
            response = StreamingHttpResponse(
                decisions_csv_lines(params.filters()), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="imr-decisions.csv"'
            return response

        return self.conditional(request, respond)


class FilterOptions(PublicApiView):
    @extend_schema(
        operation_id="filters_retrieve",
        summary="The values the filters accept",
        description="The years, categories and other values that published decisions really have.",
        responses={200: FilterOptionsSerializer, **NOT_MODIFIED, 429: ERRORS[429]},
    )
    def get(self, request):
        if request.query_params:
            self.check_params(_NoParams)

        def respond():
            facets = selectors.decision_facets()
            return Response(
                {
                    "years": facets.years,
                    "diagnoses": [{"category": c, "subcategories": s} for c, s in facets.diagnoses.items()],
                    "treatments": [{"category": c, "subcategories": s} for c, s in facets.treatments.items()],
                    "determinations": list(Determination.values),
                    "decision_types": list(DecisionType.values),
                    "imr_types": facets.imr_types,  # already in the choices' order (imr.selectors.facets)
                    "age_ranges": facets.age_ranges,
                    "genders": facets.genders,
                    "text_search": facets.has_findings,
                }
            )

        return self.conditional(request, respond)


class _NoParams(DecisionFilterParams):
    """For endpoints that take no query parameters: every one is unknown."""

    def get_fields(self):
        return {}


class ApiDocs(SpectacularSwaggerSplitView):
    """The interactive documentation (Swagger UI from drf-spectacular-sidecar, served from our own
    static files; its start-up script is a separate file, so the site's CSP holds unchanged)."""

    template_name = "api/docs.html"
    url_name = "api-schema"
    title = "DMHC Help Center: public API of IMR decisions"
