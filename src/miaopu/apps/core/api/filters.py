"""Filter backend that hands the requesting user to the FilterSet, and filters shared by the filter sets.

The UI and the API share one FilterSet per model (``CadreFilterSet``); its choice
lists (e.g. the unit filter) must only offer what the user may see, so the FilterSet
takes ``user=`` and narrows them itself.
"""

from __future__ import annotations

import django_filters as df
from django import forms
from django_filters.rest_framework import DjangoFilterBackend

#: The largest id a 64-bit integer column holds (SQLite and PostgreSQL ``bigint`` alike).
MAX_ID = 2**63 - 1


class ScopedFilterBackend(DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view) -> dict:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["user"] = request.user
        return kwargs


class IdFilter(df.NumberFilter):
    """A row id: a whole number from 1 to ``MAX_ID``. Anything else — a fraction, ``4.4e48`` — is a 400 with the
    reason, not a 500 from the database driver (found by the schemathesis fuzz test)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
