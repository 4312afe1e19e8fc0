"""Growth-file endpoints: entries (CRUD), talks and punishments (组织部 only), a cadre's timeline, and the
promotion-readiness list of a unit. Rows come from the selectors; writes go through the services.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from miaopu.apps.cadres.selectors import cadre_get, cadre_list
from miaopu.apps.core.api.viewsets import SelectorViewSet
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.units.selectors import unit_get
from miaopu.domain.promotion import Status
from miaopu.domain.vocab import CadreStatus

from .. import selectors, services
from ..readiness import MAX_CADRES, readiness_rows
from ..timeline import build_timeline, visible_kinds
from .serializers import (
    GrowthEntrySerializer,
    PunishmentSerializer,
    ReadinessRowSerializer,
    TalkSerializer,
    TimelineItemSerializer,
)


class FileAccess(BasePermission):
    message = _("您的角色无权查看或修改成长档案。")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return selectors.can_read_files(request.user)
        from miaopu.apps.core.access import can_write_personnel

        return can_write_personnel(request.user)


class OrgDeptOnly(BasePermission):
    message = _("此功能仅限组织部干部科。")

    def has_permission(self, request, view) -> bool:
        return selectors.is_orgdept(request.user)


class _RecordViewSet(SelectorViewSet):
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["cadre"]
    create_service = update_service = delete_service = None
    record_arg = "entry"

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        cadre = data.pop("cadre")
        serializer.instance = type(self).create_service(actor=self.actor, cadre=cadre, data=data)

    def perform_update(self, serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("cadre", None)
        serializer.instance = type(self).update_service(
            actor=self.actor, data=data, **{self.record_arg: serializer.instance}
        )

    def perform_destroy(self, instance) -> None:
        type(self).delete_service(actor=self.actor, **{self.record_arg: instance})


@extend_schema_view(
    list=extend_schema(summary="成长记录列表（?cadre=干部编号）"), create=extend_schema(summary="添加成长记录")
)
class GrowthEntryViewSet(_RecordViewSet):
    selector = staticmethod(selectors.entry_list)
    serializer_class = GrowthEntrySerializer
    permission_classes = [IsAuthenticated, FileAccess]
    filterset_fields = ["cadre", "kind"]
    create_service = staticmethod(services.entry_create)
    update_service = staticmethod(services.entry_update)
    delete_service = staticmethod(services.entry_delete)
    record_arg = "entry"


@extend_schema_view(list=extend_schema(summary="谈心谈话（仅组织部干部科）"))
class TalkViewSet(_RecordViewSet):
    selector = staticmethod(selectors.talk_list)
    serializer_class = TalkSerializer
    permission_classes = [IsAuthenticated, OrgDeptOnly]
    create_service = staticmethod(services.talk_create)
    update_service = staticmethod(services.talk_update)
    delete_service = staticmethod(services.talk_delete)
    record_arg = "talk"


@extend_schema_view(list=extend_schema(summary="惩戒记录（仅组织部干部科）"))
class PunishmentViewSet(_RecordViewSet):
    selector = staticmethod(selectors.punishment_list)
    serializer_class = PunishmentSerializer
    permission_classes = [IsAuthenticated, OrgDeptOnly]
    create_service = staticmethod(services.punishment_create)
    update_service = staticmethod(services.punishment_update)
    delete_service = staticmethod(services.punishment_delete)
    record_arg = "punishment"


def _date(request: Request, name: str) -> dt.date | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ApiValidationError({name: [_("日期格式应为 YYYY-MM-DD。")]}) from exc


class TimelineView(APIView):
    """One cadre's growth file as a dated list, as the user may see it (out of scope: 404)."""

    permission_classes = [IsAuthenticated, FileAccess]

    @extend_schema(
        summary="成长档案时间线",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, many=True, description="类别，可多选"),
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
        ],
        responses=TimelineItemSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        cadre = cadre_get(user=request.user, pk=pk)
        record_access(Actor.from_request(request), AuditAction.VIEW, cadre, detail={"page": "growth_timeline"})
        kinds = [k for k in request.query_params.getlist("kind") if k in visible_kinds(request.user)]
        items = build_timeline(
            request.user, cadre, kinds=kinds or None, start=_date(request, "start"), end=_date(request, "end")
        )
        return Response(TimelineItemSerializer(items, many=True).data)


class ReadinessView(APIView):
    """成熟一个、使用一个: cadres of a unit (and its sub-units) ready for promotion now or within 6 months."""

    permission_classes = [IsAuthenticated, OrgDeptOnly]

    @extend_schema(
        summary="晋升条件研判（现在即可 / 6 个月内）",
        parameters=[OpenApiParameter("unit", OpenApiTypes.INT, required=True)],
        responses=ReadinessRowSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        unit_pk = request.query_params.get("unit", "")
        if not unit_pk.isdigit():
            raise ApiValidationError({"unit": [_("请指定单位编号。")]})
        unit = unit_get(user=request.user, pk=int(unit_pk))
        cadres = cadre_list(user=request.user).filter(status=CadreStatus.ACTIVE, unit__path__startswith=unit.path)
        if cadres.count() > MAX_CADRES:
            raise ApiValidationError({"unit": [_("该范围超过 %(n)s 人，请选择下级单位。") % {"n": MAX_CADRES}]})
        rows = [
            r for r in readiness_rows(cadres) if any(t.status in (Status.READY, Status.SOON) for t in r.answer.tracks)
        ]
        return Response(ReadinessRowSerializer(rows, many=True).data)
