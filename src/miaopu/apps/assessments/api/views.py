"""Assessment endpoints: cycles (read; 组织部 creates), results (read; record one through the service), reviews."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated

from miaopu.apps.core.api.pagination import StandardPagination
from miaopu.apps.core.audit import Actor

from .. import selectors, services
from ..choices import SCORE_FIELDS, EntrySource
from ..facts import review_facts
from .serializers import AssessmentSerializer, CycleSerializer, ReviewSerializer


class ResultsAccess(BasePermission):
    message = _("只有组织部干部科和单位人事专员可以使用考核管理。")

    def has_permission(self, request, view) -> bool:
        return selectors.can_enter_results(request.user)


class ReviewAccess(BasePermission):
    message = _("分析研判仅限组织部干部科。")

    def has_permission(self, request, view) -> bool:
        return selectors.can_review(request.user)


class _Base(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    pagination_class = StandardPagination
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        return type(self).selector(user=self.request.user)

    @property
    def actor(self) -> Actor:
        return Actor.from_request(self.request)


@extend_schema_view(list=extend_schema(summary="考核列表"), create=extend_schema(summary="发起考核（组织部）"))
class CycleViewSet(_Base):
    selector = staticmethod(selectors.cycle_list)
    serializer_class = CycleSerializer
    permission_classes = [IsAuthenticated, ResultsAccess]
    filterset_fields = ["kind", "year"]

    def perform_create(self, serializer) -> None:
        serializer.instance = services.cycle_create(actor=self.actor, data=dict(serializer.validated_data))


@extend_schema_view(
    list=extend_schema(summary="考核结果（?cadre=&year=&kind=）"),
    create=extend_schema(summary="录入或更正一名干部的考核结果"),
)
class AssessmentViewSet(_Base):
    """Results of the cadres you may see; mentors and cadres read their own, writers record through the service."""

    selector = staticmethod(selectors.assessment_list)
    serializer_class = AssessmentSerializer
    filterset_fields = ["cadre", "cycle", "year", "kind", "grade"]

    class _Access(BasePermission):
        message = _("您的角色无权录入考核结果。")

        def has_permission(self, request, view) -> bool:
            if request.method in SAFE_METHODS:
                return selectors.can_enter_results(request.user) or request.user.role in ("mentor", "cadre")
            return selectors.can_enter_results(request.user)

    permission_classes = [IsAuthenticated, _Access]

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        cycle = selectors.cycle_get(user=self.request.user, pk=data.pop("cycle").pk)
        cadre = data.pop("cadre")
        values = {
            "grade": data.get("grade", ""),
            "comment": data.get("comment", ""),
            **{f: data.get(f) for f in SCORE_FIELDS},
        }
        serializer.instance = services.assessment_save(
            actor=self.actor, cycle=cycle, cadre=cadre, data=values, source=EntrySource.API
        )


@extend_schema_view(list=extend_schema(summary="分析研判（组织部）"), create=extend_schema(summary="记录分析研判"))
class ReviewViewSet(_Base):
    selector = staticmethod(selectors.review_list)
    serializer_class = ReviewSerializer
    permission_classes = [IsAuthenticated, ReviewAccess]
    filterset_fields = ["cadre"]

    def perform_create(self, serializer) -> None:
        data = dict(serializer.validated_data)
        cadre = data.pop("cadre")
        serializer.instance = services.review_create(
            actor=self.actor, cadre=cadre, data=data, facts=review_facts(cadre)
        )
