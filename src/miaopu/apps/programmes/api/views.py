"""Programme endpoints: templates (read, and eligibility), batches, candidates, placements.

Rows come from the selectors (a batch or a cadre out of scope answers 404), every step goes through the
same service as the web page, and roles other than 组织部干部科 get 403 on every endpoint.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.api.pagination import StandardPagination
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.units.selectors import unit_list

from .. import selectors, services
from ..models import HostSlot
from .serializers import (
    AssessSerializer,
    AssignSerializer,
    BatchCreateSerializer,
    BatchProfileSerializer,
    BatchSerializer,
    CandidateSerializer,
    EligibilitySerializer,
    EndEarlySerializer,
    ExtendSerializer,
    HostSlotSerializer,
    OverrideSerializer,
    PlacementSerializer,
    PlaceSerializer,
    ProgrammeTemplateSerializer,
    SlotCreateSerializer,
    VettingSerializer,
)


class ProgrammesAccess(BasePermission):
    message = _("只有组织部干部科可以使用培养项目。")

    def has_permission(self, request, view) -> bool:
        return selectors.can_use_programmes(request.user)


class _ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, ProgrammesAccess]
    pagination_class = StandardPagination
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return type(self).selector(user=self.request.user)

    @property
    def actor(self) -> Actor:
        return Actor.from_request(self.request)

    def _input(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="培养项目模板列表"), retrieve=extend_schema(summary="模板详情（含当前规则）")
)
class ProgrammeTemplateViewSet(_ReadViewSet):
    """Templates are read here; they are edited in the web UI or loaded with ``miaopu load-templates``."""

    selector = staticmethod(selectors.template_list)
    serializer_class = ProgrammeTemplateSerializer
    lookup_field = "code"
    filter_backends: list = []

    @extend_schema(
        summary="按模板当前规则列出管理范围内在职干部是否符合条件及理由",
        parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, description="计算日期，默认今天")],
        responses=EligibilitySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def eligible(self, request: Request, code: str | None = None) -> Response:
        template = self.get_object()
        try:
            as_of = dt.date.fromisoformat(request.query_params["as_of"]) if "as_of" in request.query_params else None
        except ValueError as exc:
            raise ApiValidationError({"as_of": [_("日期格式应为 YYYY-MM-DD。")]}) from exc
        as_of = as_of or dt.date.today()
        version = template.current_version
        # Paged in the database (the roster's order), and only the page's cadres judged: a province-sized scope is
        # 200,000 cadres, and judging them all for one page of 50 took 15–25 s.
        cadres = selectors.active_cadres(user=request.user).order_by("unit__path", "id")
        ids = list(self.paginate_queryset(cadres.values_list("pk", flat=True)))
        rows = selectors.eligibility_list(
            user=request.user, version=version, as_of=as_of, cadres=cadres.filter(pk__in=ids)
        )
        rows.sort(key=lambda row: ids.index(row.cadre_id))
        total = self.paginator.page.paginator.count if ids else 0
        detail = {"api": "eligible", "as_of": as_of.isoformat(), "rows": len(rows), "of": total}
        record_access(self.actor, AuditAction.EXPORT, template, detail=detail)
        return self.get_paginated_response(EligibilitySerializer([row.as_json() for row in rows], many=True).data)


@extend_schema_view(
    list=extend_schema(summary="批次列表"),
    retrieve=extend_schema(summary="批次详情"),
    create=extend_schema(
        summary="新建批次（采用模板当前版本）", request=BatchCreateSerializer, responses=BatchSerializer
    ),
)
class BatchViewSet(mixins.CreateModelMixin, _ReadViewSet):
    selector = staticmethod(selectors.batch_list)
    serializer_class = BatchSerializer
    filterset_fields = ["status", "year"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._input(BatchCreateSerializer)
        scope_id = data.pop("scope_unit", None)
        scope = get_object_or_404(unit_list(user=request.user), pk=scope_id) if scope_id else None
        batch = services.batch_create(actor=self.actor, scope_unit=scope, **data)
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)

    def _done(self, batch) -> Response:
        batch.refresh_from_db()
        return Response(BatchSerializer(batch).data)

    @extend_schema(summary="计算符合条件的人选（保存每人的结果和理由）", request=None, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        services.batch_evaluate_candidates(actor=self.actor, batch=batch)
        return self._done(batch)

    @extend_schema(summary="增加接收岗位", request=SlotCreateSerializer, responses=HostSlotSerializer)
    @action(detail=True, methods=["post"])
    def slots(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        data = self._input(SlotCreateSerializer)
        unit = get_object_or_404(unit_list(user=request.user), pk=data.pop("unit"))
        slot = services.batch_add_slot(actor=self.actor, batch=batch, unit=unit, **data)
        return Response(HostSlotSerializer(slot).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="审批", request=None, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        services.batch_approve(actor=self.actor, batch=batch)
        return self._done(batch)

    @extend_schema(summary="安排到岗（写入履历）", request=PlaceSerializer, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def place(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        services.placements_create(actor=self.actor, batch=batch, start=self._input(PlaceSerializer)["start"])
        return self._done(batch)

    @extend_schema(summary="结束批次", request=None, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk=None) -> Response:
        batch = self.get_object()
        services.batch_close(actor=self.actor, batch=batch)
        return self._done(batch)

    @extend_schema(summary="批次概况：各方人数、平均年龄、女性、非中共党员、地区分布", responses=BatchProfileSerializer)
    @action(detail=True, methods=["get"])
    def profile(self, request: Request, pk=None) -> Response:
        return Response(
            BatchProfileSerializer(selectors.batch_profile(user=request.user, batch=self.get_object())).data
        )


@extend_schema_view(
    list=extend_schema(summary="人选列表（?batch=批次编号）"),
    retrieve=extend_schema(summary="人选详情（含资格理由）"),
    create=extend_schema(summary="增加人选（不符合条件者须写明破格理由）", request=OverrideSerializer,
                         responses=CandidateSerializer),
)  # fmt: skip
class CandidateViewSet(mixins.CreateModelMixin, _ReadViewSet):
    selector = staticmethod(selectors.candidate_list)
    serializer_class = CandidateSerializer
    filterset_fields = ["batch", "status", "eligible", "is_override"]

    def get_queryset(self):
        return super().get_queryset().select_related("assignment")

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._input(OverrideSerializer)
        batch = selectors.batch_get(user=request.user, pk=data["batch"])
        cadre = get_object_or_404(cadre_list(user=request.user), pk=data["cadre"])
        candidate = services.candidate_add_override(
            actor=self.actor, batch=batch, cadre=cadre, reason=data["reason"], side=data["side"]
        )
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)

    def _done(self, candidate) -> Response:
        return Response(CandidateSerializer(selectors.candidate_get(user=self.request.user, pk=candidate.pk)).data)

    @extend_schema(summary="提名", request=None, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def nominate(self, request: Request, pk=None) -> Response:
        candidate = self.get_object()
        services.candidate_nominate(actor=self.actor, candidate=candidate)
        return self._done(candidate)

    @extend_schema(summary="记录考察（有异议即暂缓）", request=VettingSerializer, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def vetting(self, request: Request, pk=None) -> Response:
        candidate = self.get_object()
        data = self._input(VettingSerializer)
        findings = {key: data.pop(key) for key in ("political", "moral", "achievement", "duty", "integrity")}
        services.vetting_record(actor=self.actor, candidate=candidate, findings=findings, **data)
        return self._done(candidate)

    @extend_schema(summary="分配接收岗位（双向挂职须同时给出对调人选）", request=AssignSerializer,
                   responses=CandidateSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk=None) -> Response:
        candidate = self.get_object()
        data = self._input(AssignSerializer)
        slots = HostSlot.objects.filter(batch=candidate.batch)
        slot = get_object_or_404(slots, pk=data["slot"])
        partner = partner_slot = None
        if data.get("partner"):
            partner = get_object_or_404(self.get_queryset().filter(batch=candidate.batch), pk=data["partner"])
        if data.get("partner_slot"):
            partner_slot = get_object_or_404(slots, pk=data["partner_slot"])
        services.assignment_set(
            actor=self.actor, candidate=candidate, slot=slot, partner=partner, partner_slot=partner_slot
        )
        return self._done(candidate)

    @extend_schema(summary="取消分配", request=None, responses=CandidateSerializer)
    @action(detail=True, methods=["post"])
    def unassign(self, request: Request, pk=None) -> Response:
        candidate = self.get_object()
        services.assignment_clear(actor=self.actor, candidate=candidate)
        return self._done(candidate)


@extend_schema_view(
    list=extend_schema(summary="到岗列表（?batch=、?status=）"), retrieve=extend_schema(summary="到岗详情")
)
class PlacementViewSet(_ReadViewSet):
    selector = staticmethod(selectors.placement_list)
    serializer_class = PlacementSerializer
    filterset_fields = ["batch", "status"]

    def _done(self, placement) -> Response:
        return Response(PlacementSerializer(selectors.placement_get(user=self.request.user, pk=placement.pk)).data)

    @extend_schema(summary="延期（须写明理由）", request=ExtendSerializer, responses=PlacementSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, pk=None) -> Response:
        placement = self.get_object()
        services.placement_extend(actor=self.actor, placement=placement, **self._input(ExtendSerializer))
        return self._done(placement)

    @extend_schema(summary="提前结束（须写明理由）", request=EndEarlySerializer, responses=PlacementSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk=None) -> Response:
        placement = self.get_object()
        services.placement_end_early(actor=self.actor, placement=placement, **self._input(EndEarlySerializer))
        return self._done(placement)

    @extend_schema(summary="期满考核（优秀等次按模板纳入后备干部库）", request=AssessSerializer,
                   responses=PlacementSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, pk=None) -> Response:
        placement = self.get_object()
        services.placement_term_end_assess(actor=self.actor, placement=placement, **self._input(AssessSerializer))
        return self._done(placement)
