"""Matching endpoints: plans of a batch (list, read), solve, pin/forbid and solve again, accept, problem file.

The same selectors and services as the pages: only 组织部 users who may run the whole batch reach a plan
(others 403 by role, 404 by scope), and every step is audited by the service.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from miaopu.apps.core.api.pagination import StandardPagination
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.programmes.selectors import can_use_programmes

from .. import selectors, services
from .serializers import MatchPlanDetailSerializer, MatchPlanSerializer, PairSerializer, SolveSerializer


class MatchingAccess(BasePermission):
    message = _("只有组织部干部科可以进行人岗匹配。")

    def has_permission(self, request, view) -> bool:
        return can_use_programmes(request.user)


@extend_schema_view(
    list=extend_schema(summary="匹配方案列表（?batch=批次编号）"),
    retrieve=extend_schema(summary="匹配方案：每人去向、得分构成与理由、名额", responses=MatchPlanDetailSerializer),
    create=extend_schema(summary="求解批次，生成新方案", request=SolveSerializer, responses=MatchPlanDetailSerializer),
)
class MatchPlanViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):  # fmt: skip
    permission_classes = [IsAuthenticated, MatchingAccess]
    pagination_class = StandardPagination
    serializer_class = MatchPlanSerializer

    def get_queryset(self):
        qs = selectors.plan_list(user=self.request.user)
        batch = self.request.query_params.get("batch")
        if batch and batch.isdigit():
            qs = qs.filter(batch_id=int(batch))
        return qs.order_by("batch_id", "-number")

    def get_object(self):
        return selectors.plan_get(user=self.request.user, pk=self.kwargs["pk"])

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        plan = self.get_object()
        record_access(Actor.from_request(request), AuditAction.VIEW, plan, detail={"api": "matching_plan"})
        return Response(MatchPlanDetailSerializer(plan).data)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = SolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        batch = selectors.batch_for_matching(user=request.user, pk=data.pop("batch"))
        plan = services.plan_solve(actor=Actor.from_request(request), batch=batch, **data)
        return Response(MatchPlanDetailSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="固定、禁止或取消一个配对并重新求解（生成新方案）", request=PairSerializer,
                   responses=MatchPlanDetailSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def pair(self, request: Request, pk=None) -> Response:
        plan = self.get_object()
        serializer = PairSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        new = services.plan_derive(
            actor=Actor.from_request(request), plan=plan, **{data["action"]: (data["candidate"], data["slot"])}
        )
        return Response(MatchPlanDetailSerializer(new).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="采用方案：按方案重写批次的岗位分配", request=None, responses=MatchPlanSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk=None) -> Response:
        plan = services.plan_accept(actor=Actor.from_request(request), plan=self.get_object())
        return Response(MatchPlanSerializer(plan).data)

    @extend_schema(summary="方案的问题文件（miaopu match 的输入格式）", responses=dict)
    @action(detail=True, methods=["get"])
    def problem(self, request: Request, pk=None) -> Response:
        plan = self.get_object()
        record_access(Actor.from_request(request), AuditAction.EXPORT, plan,
                      detail={"api": "problem", "candidates": plan.candidate_count})  # fmt: skip
        return Response(plan.problem)
