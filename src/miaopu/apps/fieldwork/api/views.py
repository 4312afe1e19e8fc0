"""Field-work endpoints: practice bases (read), the ledger and care contacts (read, create; ledger progress).

Rows come from the selectors (404 outside the scope), writes go through the services (validated, audited).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from miaopu.apps.core.api.pagination import StandardPagination
from miaopu.apps.core.audit import Actor

from .. import selectors, services
from .serializers import CareContactSerializer, LedgerItemSerializer, PracticeBaseSerializer


class ManagerOnly(BasePermission):
    message = _("只有组织部干部科和单位人事专员可以使用此功能。")

    def has_permission(self, request, view) -> bool:
        return selectors.can_manage(request.user)


class ReadOrManage(BasePermission):
    message = _("您的角色无权查看或修改基层实践记录。")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return selectors.can_read(request.user)
        return selectors.can_manage(request.user)


@extend_schema_view(list=extend_schema(summary="实践基地列表"), retrieve=extend_schema(summary="实践基地"))
class PracticeBaseViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PracticeBaseSerializer
    permission_classes = [IsAuthenticated, ManagerOnly]
    pagination_class = StandardPagination

    def get_queryset(self):
        return selectors.base_list(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="办实事台账"),
    retrieve=extend_schema(summary="办实事事项"),
    create=extend_schema(summary="登记办实事事项"),
    partial_update=extend_schema(summary="更新办理情况"),
)
class LedgerItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = LedgerItemSerializer
    permission_classes = [IsAuthenticated, ReadOrManage]
    pagination_class = StandardPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.ledger_list(user=self.request.user).prefetch_related("cadres")

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        cadres = data.pop("cadres")
        taken_on = data.pop("taken_on", None)
        serializer.instance = services.ledger_create(
            actor=Actor.from_request(self.request), data=data, cadres=cadres, taken_on=taken_on
        )

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("cadres", None)
        data.pop("taken_on", None)
        serializer.instance = services.ledger_update(
            actor=Actor.from_request(self.request), item=serializer.instance, data=data
        )


@extend_schema_view(
    list=extend_schema(summary="关心关爱记录（心理疏导仅组织部可见）"),
    retrieve=extend_schema(summary="关心关爱记录"),
    create=extend_schema(summary="记录关心关爱"),
)
class CareContactViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = CareContactSerializer
    permission_classes = [IsAuthenticated, ReadOrManage]
    pagination_class = StandardPagination
    filterset_fields = ["cadre"]

    def get_queryset(self):
        qs = selectors.care_list(user=self.request.user)
        cadre = self.request.query_params.get("cadre", "")
        return qs.filter(cadre_id=int(cadre)) if cadre.isdigit() else qs

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        cadre = data.pop("cadre")
        note = data.pop("counselling_note", "")
        serializer.instance = services.care_create(
            actor=Actor.from_request(self.request), cadre=cadre, data=data, counselling_note=note
        )
