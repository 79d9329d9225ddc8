"""Every API error is JSON: {"detail": "...", "errors": {"parameter": ["..."]}}.

DRF's handler shapes the errors it knows (a bad parameter, 404, 405, 429 with Retry-After);
anything else is logged and answered with a plain 500 in the same shape, never an HTML page.
"""

import logging

from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)

SERVER_ERROR = "Something went wrong on our side. Please try again later."


def json_exception_handler(exc, context):
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response(
            {
                "detail": "One or more query parameters are not valid.",
                "errors": {name: [str(message) for message in messages] for name, messages in errors.items()},
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("Unexpected error in the public API", exc_info=exc)
        return Response({"detail": SERVER_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response


def not_found(request, *args, **kwargs):
    """Any address under /api/ that is not an endpoint."""
    return JsonResponse(
        {"detail": "There is no such address in this API. The endpoints are listed at /api/v1/schema/."}, status=404
    )
