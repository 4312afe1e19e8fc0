"""Units and posts: anyone may read what ``unit_list``/``post_list`` give them; 组织部 staff maintain them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated

from miaopu.apps.core.api.permissions import PostAccess, UnitAccess
from miaopu.apps.core.api.viewsets import SelectorViewSet
from miaopu.apps.units import services
from miaopu.apps.units.selectors import post_list, unit_list

from .filtersets import PostFilterSet, UnitFilterSet
from .serializers import PostSerializer, UnitSerializer


@extend_schema_view(
    list=extend_schema(summary="单位列表"),
    retrieve=extend_schema(summary="单位详情"),
    create=extend_schema(summary="新增单位"),
    update=extend_schema(summary="修改单位"),
    partial_update=extend_schema(summary="修改单位（部分字段）"),
    destroy=extend_schema(summary="删除单位"),
)
class UnitViewSet(SelectorViewSet):
    """Units within your scope (组织部 and unit officers: their subtree). Only 组织部 staff may change them."""

    selector = staticmethod(unit_list)
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    permission_classes = [IsAuthenticated, UnitAccess]

    def perform_create(self, serializer) -> None:
        serializer.instance = services.unit_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.unit_update(
            actor=self.actor, unit=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance) -> None:
        services.unit_delete(actor=self.actor, unit=instance)


@extend_schema_view(
    list=extend_schema(summary="岗位列表"),
    retrieve=extend_schema(summary="岗位详情"),
    create=extend_schema(summary="新增岗位"),
    update=extend_schema(summary="修改岗位"),
    partial_update=extend_schema(summary="修改岗位（部分字段）"),
    destroy=extend_schema(summary="删除岗位"),
)
class PostViewSet(SelectorViewSet):
    """Posts of the units within your scope. Only 组织部 staff may change them."""

    selector = staticmethod(post_list)
    serializer_class = PostSerializer
    filterset_class = PostFilterSet
    permission_classes = [IsAuthenticated, PostAccess]

    def perform_create(self, serializer) -> None:
        serializer.instance = services.post_create(actor=self.actor, **serializer.validated_data)

    def perform_update(self, serializer) -> None:
        serializer.instance = services.post_update(
            actor=self.actor, post=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance) -> None:
        services.post_delete(actor=self.actor, post=instance)
