"""API plumbing shared by every app: errors in the same shape, Chinese messages, 404 for out-of-scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from miaopu.apps.core.services import ConflictError


def base_exception_handler(exc, context):
    """Turn service-layer errors into API answers: validation → 400 with field messages, conflict → 409."""
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.messages[0], "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {field: messages for field, messages in exc.message_dict.items()}
            if "__all__" in data:
                data["non_field_errors"] = data.pop("__all__")
        else:
            data = {"non_field_errors": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


def exception_handler(exc, context):
    """``base_exception_handler``, plus the field's Chinese name in front of each message of a rejected write.

    A service message such as "校验位错误：应为 X" is clear next to a form field but not in an
    API client's error list; "身份证号：校验位错误：应为 X" is. Messages that already name
    their field are left alone. The keys stay the field codes, so clients can still map them.
    """
    response = base_exception_handler(exc, context)
    _name_fields(response, context)
    return response


def _name_fields(response, context) -> None:
    request, view = context.get("request"), context.get("view")
    if response is None or response.status_code != status.HTTP_400_BAD_REQUEST or not isinstance(response.data, dict):
        return
    if request is None or request.method in SAFE_METHODS or not hasattr(view, "get_serializer"):
        return  # query-string (filter) errors name filters, not serializer fields
    try:
        fields = view.get_serializer().fields
    except (AssertionError, AttributeError, TypeError):
        return
    for name, messages in response.data.items():
        field = fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        if label and isinstance(messages, list):
            response.data[name] = [f"{label}：{m}" if isinstance(m, str) and label not in m else m for m in messages]
