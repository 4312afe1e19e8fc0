"""Helpers every app's services share: validation that names fields, and model checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


class ConflictError(ValidationError):
    """The record changed since the user loaded it (optimistic concurrency)."""


def apply_fields(instance: models.Model, data: dict[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(_("不能修改这些字段：%(fields)s") % {"fields": "、".join(unknown)})
    for name, value in data.items():
        setattr(instance, name, value)


def full_clean(instance: models.Model, errors: dict[str, list[str]] | None = None, exclude=None) -> None:
    """Django's model validation plus the service's own errors, raised together so users see them all."""
    collected: dict[str, list[str]] = {k: list(v) for k, v in (errors or {}).items()}
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            collected.setdefault(field, []).extend(m for m in messages if m not in collected.get(field, []))
    if collected:
        raise ValidationError(collected)
