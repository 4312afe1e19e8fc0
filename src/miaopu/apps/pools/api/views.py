"""Pool endpoints (组织部干部科 only): list and add entries; exits are recorded on the web page or the service."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

from miaopu.apps.core.api.pagination import StandardPagination
from miaopu.apps.core.audit import Actor

from .. import selectors, services
from .serializers import PoolEntrySerializer


class PoolAccess(BasePermission):
    message = _("人才库仅限组织部干部科使用。")

    def has_permission(self, request, view) -> bool:
        return selectors.can_use_pools(request.user)


@extend_schema_view(list=extend_schema(summary="人才库、后备干部库入库记录"), create=extend_schema(summary="入库"))
class PoolEntryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = PoolEntrySerializer
    permission_classes = [IsAuthenticated, PoolAccess]
    pagination_class = StandardPagination
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["pool", "cadre", "tier", "category", "source"]

    def get_queryset(self):
        return selectors.pool_entry_list(user=self.request.user)

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        cadre = data.pop("cadre")
        serializer.instance = services.pool_entry_add(actor=Actor.from_request(self.request), cadre=cadre, data=data)
