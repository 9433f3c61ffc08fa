"""One mapping of service errors to DRF responses (``EXCEPTION_HANDLER``)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from .permissions import LimitExceeded


def _messages(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"detail": " ".join(exc.messages)}


def exception_handler(exc, context):
    """Service errors become HTTP: ValidationError (and the analyses' ValueError, their
    named refusal of bad input) → 400 with its messages, PermissionDenied → 403 with its
    reason, a reached bound → 429, a missing row → 404. Anything else is DRF's (and a
    500 keeps its traceback in the log, never in the response)."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_messages(exc))
    elif isinstance(exc, ValueError):
        exc = exceptions.ValidationError({"detail": str(exc)})
    elif isinstance(exc, LimitExceeded):
        exc = exceptions.Throttled(wait=exc.retry_after, detail=str(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
