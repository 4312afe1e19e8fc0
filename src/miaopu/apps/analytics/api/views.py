"""Analytics endpoints: the structure figures, the ``miaopu stats`` JSON and the alerts, in the caller's scope.

The same selectors as the web pages; 组织部干部科 and 单位人事专员 only (403 for every other role). The
structure endpoints take the cadre list's filters (``unit``, ``gender``, ``age_max`` …) and ``as_of``.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from miaopu.apps.core.api.pagination import StandardPagination

from .. import selectors
from ..models import AlertLevel
from .serializers import AlertSerializer, AlertSummarySerializer, StatsSerializer, StructureSerializer


class AnalyticsAccess(BasePermission):
    message = _("只有组织部干部科和单位人事专员可以查看统计分析和预警。")

    def has_permission(self, request, view) -> bool:
        return selectors.can_view_analytics(request.user)


FILTER_PARAMETERS = [
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="年龄按哪一天计算，默认今天"),
    OpenApiParameter("unit", OpenApiTypes.INT, description="单位（含下级单位），须在管理范围内"),
    *[
        OpenApiParameter(name, OpenApiTypes.STR, description="与 /api/cadres/ 的同名筛选条件相同")
        for name in selectors.FILTER_PARAMS
        if name != "unit"
    ],
]


def _as_of(request: Request) -> dt.date:
    raw = request.query_params.get("as_of")
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"as_of": [_("日期格式应为 YYYY-MM-DD。")]}) from exc


class _Base(APIView):
    permission_classes = [IsAuthenticated, AnalyticsAccess]

    def structure(self, request: Request) -> selectors.Structure:
        """The figures for the query's filters; an invalid filter (e.g. a unit outside the scope) answers 400."""
        errors = selectors.filter_errors(user=request.user, params=request.query_params)
        if errors:
            raise ValidationError(errors)
        return selectors.structure(user=request.user, params=request.query_params, as_of=_as_of(request))


class StatsView(_Base):
    @extend_schema(summary="结构统计（与 miaopu stats --format json 相同）", parameters=FILTER_PARAMETERS,
                   responses=StatsSerializer)  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(self.structure(request).stats_json())


class StructureView(_Base):
    @extend_schema(summary="干部结构（各项数字及对应名单网址）", parameters=FILTER_PARAMETERS,
                   responses=StructureSerializer)  # fmt: skip
    def get(self, request: Request) -> Response:
        s = self.structure(request)
        data = {
            "as_of": s.as_of, "total": s.total, "average_age": s.average_age, "women": s.women,
            "non_party": s.non_party, "young": s.young, "young_age": s.young_age, "mentored_young": s.mentored_young,
            "by_age_band": s.by_age_band, "dimensions": s.dimensions,
        }  # fmt: skip
        return Response(StructureSerializer(data).data)


@extend_schema(
    summary="预警列表",
    parameters=[
        OpenApiParameter("kind", OpenApiTypes.STR, description="预警类型，如 term_ending、retirement"),
        OpenApiParameter("level", OpenApiTypes.STR, enum=AlertLevel.values, description="等级"),
        OpenApiParameter("unit", OpenApiTypes.INT, description="单位（含下级单位）"),
    ],
)
class AlertListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated, AnalyticsAccess]
    serializer_class = AlertSerializer
    pagination_class = StandardPagination
    filter_backends: list = []

    def get_queryset(self):
        qs = selectors.alert_list(user=self.request.user)
        params = self.request.query_params
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("level"):
            qs = qs.filter(level=params["level"])
        unit = selectors.scope_unit_param(user=self.request.user, data=params)
        if unit is not None:
            qs = qs.filter(cadre__unit__path__startswith=unit.path)
        return qs.order_by("kind", "due", "id")


class AlertSummaryView(_Base):
    @extend_schema(summary="预警数量（红黄绿，按类型）", responses=AlertSummarySerializer,
                   parameters=[OpenApiParameter("unit", OpenApiTypes.INT, description="单位")])  # fmt: skip
    def get(self, request: Request) -> Response:
        unit = selectors.scope_unit_param(user=request.user, data=request.query_params)
        summary = selectors.alert_summary(user=request.user, unit=unit)
        levels = {f.key: f.value for f in summary.levels}
        kinds = [
            {"kind": k["kind"], "label": k["label"], "available": k["available"], "note": k["note"],
             **{lv["level"]: lv["n"] for lv in k["levels"]}, "total": k["total"]}
            for k in summary.kinds
        ]  # fmt: skip
        return Response(AlertSummarySerializer({"refreshed_at": summary.refreshed_at, **levels, "kinds": kinds}).data)
