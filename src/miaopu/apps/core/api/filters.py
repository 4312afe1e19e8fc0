"""Filter backend that hands the requesting user to the FilterSet.

The UI and the API share one FilterSet per model (``CadreFilterSet``); its choice
lists (e.g. the unit filter) must only offer what the user may see, so the FilterSet
takes ``user=`` and narrows them itself.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend


class ScopedFilterBackend(DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view) -> dict:
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["user"] = request.user
        return kwargs
