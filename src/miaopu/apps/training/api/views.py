"""Training endpoints: catalogue, classes, enrolments with ranks, orders (点单 through the service), topics.

Rows come from the scoped selectors (404 outside the scope); roles that read no training get 403.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission

from miaopu.apps.core.api.pagination import StandardPagination
from miaopu.apps.core.audit import Actor

from .. import selectors, services
from .serializers import (
    CourseSerializer,
    EnrolmentSerializer,
    ResearchTopicSerializer,
    TrainingClassSerializer,
    TrainingOrderSerializer,
)


class TrainingAccess(BasePermission):
    message = _("您的角色无权查看教育培训信息。")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return selectors.can_read(request.user)
        self.message = _("您的角色不能点单。")
        return selectors.can_order(request.user)


class _Base(viewsets.ReadOnlyModelViewSet):
    permission_classes = [TrainingAccess]
    pagination_class = StandardPagination
    selector = None

    def get_queryset(self):
        return type(self).selector(user=self.request.user).order_by("pk")


@extend_schema_view(list=extend_schema(summary="课程目录"), retrieve=extend_schema(summary="课程"))
class CourseViewSet(_Base):
    serializer_class = CourseSerializer
    selector = staticmethod(selectors.course_list)


@extend_schema_view(list=extend_schema(summary="培训班"), retrieve=extend_schema(summary="培训班"))
class TrainingClassViewSet(_Base):
    serializer_class = TrainingClassSerializer
    selector = staticmethod(selectors.class_list)


@extend_schema_view(
    list=extend_schema(summary="学员与名次（?klass=培训班编号）"), retrieve=extend_schema(summary="学员")
)
class EnrolmentViewSet(_Base):
    serializer_class = EnrolmentSerializer
    selector = staticmethod(selectors.enrolment_list)
    filterset_fields = ["klass", "cadre", "status"]


@extend_schema_view(
    list=extend_schema(summary="点单"), retrieve=extend_schema(summary="点单"), create=extend_schema(summary="提交点单")
)
class TrainingOrderViewSet(mixins.CreateModelMixin, _Base):
    serializer_class = TrainingOrderSerializer
    selector = staticmethod(selectors.order_list)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.order_create(
            actor=Actor.from_request(self.request), data=dict(serializer.validated_data)
        )


@extend_schema_view(list=extend_schema(summary="调研课题"), retrieve=extend_schema(summary="调研课题"))
class ResearchTopicViewSet(_Base):
    serializer_class = ResearchTopicSerializer
    selector = staticmethod(selectors.topic_list)
