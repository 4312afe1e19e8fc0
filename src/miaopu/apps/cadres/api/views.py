"""Cadres and experience: reads from the selectors (out of scope = 404), writes through the services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from miaopu.apps.cadres import services
from miaopu.apps.cadres.filtersets import CadreFilterSet
from miaopu.apps.cadres.roster import CountCachingPaginator
from miaopu.apps.cadres.selectors import cadre_list, experience_list
from miaopu.apps.core.api.pagination import StandardPagination
from miaopu.apps.core.api.permissions import PersonnelAccess
from miaopu.apps.core.api.viewsets import SelectorViewSet
from miaopu.apps.core.audit import record_access
from miaopu.apps.core.choices import AuditAction

from .filtersets import ExperienceFilterSet
from .serializers import CadreSerializer, CadreUpdateSerializer, ExperienceSerializer


class CadrePagination(StandardPagination):
    """The roster's paginator: a large count (a whole city) is cached for a minute, see ``cadres.roster``."""

    django_paginator_class = CountCachingPaginator


@extend_schema_view(
    list=extend_schema(summary="干部列表"),
    retrieve=extend_schema(summary="干部详情（记入访问日志）"),
    create=extend_schema(summary="新增干部"),
    update=extend_schema(summary="修改干部", request=CadreUpdateSerializer, responses=CadreSerializer),
    partial_update=extend_schema(
        summary="修改干部（部分字段，须带 version）", request=CadreUpdateSerializer, responses=CadreSerializer
    ),
    destroy=extend_schema(summary="删除误录的干部"),
)
class CadreViewSet(SelectorViewSet):
    """Cadres you may see; others answer 404. Updates must send the ``version`` last read (stale → 409).

    Every retrieve is recorded in the access log.
    """

    selector = staticmethod(cadre_list)
    filterset_class = CadreFilterSet
    pagination_class = CadrePagination
    permission_classes = [IsAuthenticated, PersonnelAccess]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return CadreUpdateSerializer
        return CadreSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        """One cadre's full record; reading a personnel file is an audited access."""
        cadre = self.get_object()
        record_access(self.actor, AuditAction.VIEW, cadre)
        return Response(self.get_serializer(cadre).data)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.cadre_create(actor=self.actor, data=dict(serializer.validated_data))

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        version = data.pop("version")
        serializer.instance = services.cadre_update(
            actor=self.actor, cadre=serializer.instance, data=data, expected_version=version
        )

    def perform_destroy(self, instance) -> None:
        services.cadre_delete(actor=self.actor, cadre=instance)


@extend_schema_view(
    list=extend_schema(summary="履历列表（?cadre=干部编号）"),
    retrieve=extend_schema(summary="履历详情"),
    create=extend_schema(summary="新增履历"),
    update=extend_schema(summary="修改履历"),
    partial_update=extend_schema(summary="修改履历（部分字段）"),
    destroy=extend_schema(summary="删除履历"),
)
class ExperienceViewSet(SelectorViewSet):
    """Experience (履历) of the cadres you may see; ``?cadre=<id>`` gives one cadre's history."""

    selector = staticmethod(experience_list)
    serializer_class = ExperienceSerializer
    filterset_class = ExperienceFilterSet
    permission_classes = [IsAuthenticated, PersonnelAccess]

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        cadre = data.pop("cadre")
        serializer.instance = services.experience_create(actor=self.actor, cadre=cadre, data=data)

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("cadre", None)  # unchanged (the serializer refuses a move to another cadre)
        serializer.instance = services.experience_update(actor=self.actor, entry=serializer.instance, data=data)

    def perform_destroy(self, instance) -> None:
        services.experience_delete(actor=self.actor, entry=instance)
