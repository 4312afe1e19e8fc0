"""The base every model endpoint uses: rows come from a selector, changes go through services."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from miaopu.apps.core.audit import Actor

from .filters import ScopedFilterBackend
from .pagination import StandardPagination


class SelectorViewSet(viewsets.ModelViewSet):
    """CRUD endpoint whose queryset is ``selector(user=request.user)``.

    Because lookups run against the selector's queryset, an object outside the user's
    scope answers 404 exactly like a missing id. Subclasses implement ``perform_create``,
    ``perform_update`` and ``perform_destroy`` by calling the app's services with
    ``self.actor``, so API writes are validated and audited like web and CLI writes.
    """

    selector: Callable[..., QuerySet]
    filter_backends = [ScopedFilterBackend]
    pagination_class = StandardPagination
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet:
        return type(self).selector(user=self.request.user)

    @property
    def actor(self) -> Actor:
        return Actor.from_request(self.request)
