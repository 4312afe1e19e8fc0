"""Mentoring endpoints: mentors, mentorships, guidance records, automatic pairing, alerts.

Two layers decide access, as everywhere: per role, a role that can never do something is refused with 403
before the body is read (admins read nothing; only 组织部 pairs; only mentor accounts write records; only
干部本人 confirm them); per object, rows come from the selectors (out of scope = 404) and the services check
that the mentor or mentee is *this* mentorship's (403 otherwise).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.api.pagination import StandardPagination
from miaopu.apps.core.audit import Actor, record_access
from miaopu.apps.core.choices import AuditAction, Role
from miaopu.apps.units.selectors import unit_list

from .. import selectors, services
from .serializers import (
    AttachmentSerializer,
    ConfirmRunSerializer,
    ConfirmSerializer,
    DecideSerializer,
    EndSerializer,
    ExchangeSerializer,
    GuidanceInputSerializer,
    GuidanceRecordSerializer,
    MentorCreateSerializer,
    MentoringAlertSerializer,
    MentorSerializer,
    MentorshipCreateSerializer,
    MentorshipSerializer,
    PairingRunCreateSerializer,
    PairingRunSerializer,
    ProposalSerializer,
    RateMenteeSerializer,
    RateMentorSerializer,
    SwapSerializer,
    UploadSerializer,
)

#: action → the roles that may call it at all (the services then check the object).
MANAGER = frozenset({Role.ORGDEPT})
MENTOR = frozenset({Role.MENTOR})
MENTEE = frozenset({Role.CADRE})


class MentoringAccess(BasePermission):
    """Personnel roles read; each write action names the roles that may call it (``write_roles``)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not selectors.can_read(user):
            self.message = _("您的角色无权查看导师帮带信息。")
            return False
        read_roles = getattr(view, "read_roles", None)
        if request.method in SAFE_METHODS:
            if read_roles is not None and user.role not in read_roles:
                self.message = _("您的角色无权使用此功能。")
                return False
            return True
        allowed = view.write_roles.get(view.action, frozenset())
        if user.role not in allowed or (user.role == Role.ORGDEPT and not selectors.can_manage(user)):
            self.message = _("您的角色无权进行此操作。")
            return False
        return True


class _Base(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, MentoringAccess]
    pagination_class = StandardPagination
    filter_backends: list = []
    write_roles: dict[str, frozenset] = {}
    read_roles: frozenset | None = None

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
    list=extend_schema(summary="导师库"), retrieve=extend_schema(summary="导师详情"),
    create=extend_schema(summary="新增导师（系统内干部或系统外人员）", request=MentorCreateSerializer),
    partial_update=extend_schema(summary="修改导师", request=MentorCreateSerializer),
)  # fmt: skip
class MentorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    selector = staticmethod(selectors.mentor_list)
    serializer_class = MentorSerializer
    write_roles = {"create": MANAGER, "partial_update": MANAGER}

    def _data(self, data: dict) -> dict:
        if data.get("cadre"):
            data["cadre"] = get_object_or_404(cadre_list(user=self.request.user), pk=data["cadre"])
        else:
            data.pop("cadre", None)
        if data.get("unit"):
            data["unit"] = get_object_or_404(unit_list(user=self.request.user), pk=data["unit"])
        elif "unit" in data:
            data["unit"] = None
        return data

    def create(self, request: Request) -> Response:
        mentor = services.mentor_create(actor=self.actor, data=self._data(self._input(MentorCreateSerializer)))
        return Response(MentorSerializer(mentor).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk=None) -> Response:
        mentor = self.get_object()
        serializer = MentorCreateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = self._data(dict(serializer.validated_data))
        data.pop("cadre", None)
        mentor = services.mentor_update(actor=self.actor, mentor=mentor, data=data)
        return Response(MentorSerializer(mentor).data)


@extend_schema_view(
    list=extend_schema(summary="结对列表（导师账号只看到自己的在带结对）"),
    retrieve=extend_schema(summary="结对详情"),
    create=extend_schema(summary="手工结对", request=MentorshipCreateSerializer),
)
class MentorshipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    selector = staticmethod(selectors.mentorship_list)
    serializer_class = MentorshipSerializer
    write_roles = {"create": MANAGER, "end": MANAGER, "rate_mentee": MENTOR, "rate_mentor": MENTEE}

    def get_queryset(self):
        qs = super().get_queryset()
        for name in ("role", "status", "mentee", "mentor"):
            value = self.request.query_params.get(name)
            if value:
                qs = qs.filter(**{name: value})
        return qs.order_by("id")

    def create(self, request: Request) -> Response:
        from miaopu.apps.programmes.models import ProgrammeTemplate

        data = self._input(MentorshipCreateSerializer)
        mentee = get_object_or_404(cadre_list(user=request.user), pk=data["mentee"])
        mentor = get_object_or_404(selectors.mentor_list(user=request.user), pk=data["mentor"])
        template = get_object_or_404(ProgrammeTemplate, code=data["template"]) if data.get("template") else None
        ship = services.mentorship_create(
            actor=self.actor, mentee=mentee, mentor=mentor, role=data["role"], start=data["start"], template=template,
            allow_over_capacity=data["allow_over_capacity"],
        )  # fmt: skip
        return Response(MentorshipSerializer(ship).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="结束结对（期满或提前解除）", request=EndSerializer, responses=MentorshipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk=None) -> Response:
        ship = services.mentorship_end(actor=self.actor, mentorship=self.get_object(), **self._input(EndSerializer))
        return Response(MentorshipSerializer(ship).data)

    @extend_schema(summary="导师期满评价帮带对象", request=RateMenteeSerializer, responses=MentorshipSerializer)
    @action(detail=True, methods=["post"], url_path="rate-mentee")
    def rate_mentee(self, request: Request, pk=None) -> Response:
        ship = services.mentorship_rate_mentee(
            actor=self.actor, mentorship=self.get_object(), **self._input(RateMenteeSerializer)
        )
        return Response(MentorshipSerializer(ship).data)

    @extend_schema(summary="帮带对象评价导师", request=RateMentorSerializer, responses=MentorshipSerializer)
    @action(detail=True, methods=["post"], url_path="rate-mentor")
    def rate_mentor(self, request: Request, pk=None) -> Response:
        ship = services.mentorship_rate_mentor(
            actor=self.actor, mentorship=self.get_object(), **self._input(RateMentorSerializer)
        )
        return Response(MentorshipSerializer(ship).data)


@extend_schema_view(
    list=extend_schema(summary="帮带记录（?mentorship=结对编号）"),
    retrieve=extend_schema(summary="帮带记录详情"),
    create=extend_schema(summary="导师填写帮带记录", request=GuidanceInputSerializer),
    update=extend_schema(summary="导师修改帮带记录（确认前）", request=GuidanceInputSerializer),
    partial_update=extend_schema(summary="导师修改帮带记录（确认前）", request=GuidanceInputSerializer),
    destroy=extend_schema(summary="导师删除帮带记录（确认前）"),
)
class GuidanceRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    selector = staticmethod(selectors.guidance_list)
    serializer_class = GuidanceRecordSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    write_roles = {
        "create": MENTOR, "update": MENTOR, "partial_update": MENTOR, "destroy": MENTOR, "attachments": MENTOR,
        "confirm": MENTEE,
    }  # fmt: skip

    def get_queryset(self):
        qs = super().get_queryset().prefetch_related("attachments").order_by("-date", "-id")
        ship = self.request.query_params.get("mentorship")
        return qs.filter(mentorship_id=ship) if ship and ship.isdigit() else qs

    def create(self, request: Request) -> Response:
        data = self._input(GuidanceInputSerializer)
        ship = get_object_or_404(selectors.mentorship_list(user=request.user), pk=data.pop("mentorship", None))
        uploads = request.FILES.getlist("attachments") if hasattr(request, "FILES") else []
        record = services.guidance_create(actor=self.actor, mentorship=ship, data=data, uploads=uploads)
        return Response(GuidanceRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    def _update(self, partial: bool) -> Response:
        record = self.get_object()
        serializer = GuidanceInputSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("mentorship", None)
        record = services.guidance_update(actor=self.actor, record=record, data=data)
        return Response(GuidanceRecordSerializer(record).data)

    def update(self, request: Request, pk=None) -> Response:
        return self._update(partial=False)

    def partial_update(self, request: Request, pk=None) -> Response:
        return self._update(partial=True)

    def destroy(self, request: Request, pk=None) -> Response:
        services.guidance_delete(actor=self.actor, record=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="帮带对象确认记录", request=ConfirmSerializer, responses=GuidanceRecordSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk=None) -> Response:
        record = services.guidance_confirm(
            actor=self.actor, record=self.get_object(), note=self._input(ConfirmSerializer)["note"]
        )
        return Response(GuidanceRecordSerializer(record).data)

    @extend_schema(summary="上传附件（PDF、docx、xlsx、JPG、PNG，≤10 MB）", request=UploadSerializer,
                   responses=AttachmentSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def attachments(self, request: Request, pk=None) -> Response:
        record = self.get_object()
        upload = self._input(UploadSerializer)["file"]
        attachment = services.attachment_add(actor=self.actor, record=record, upload=upload)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="自动配对记录"), retrieve=extend_schema(summary="自动配对详情（含各类导师结果概况）"),
    create=extend_schema(summary="为批次或项目全部符合条件人员生成配对建议", request=PairingRunCreateSerializer),
)  # fmt: skip
class PairingRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    selector = staticmethod(selectors.pairing_run_list)
    serializer_class = PairingRunSerializer
    read_roles = MANAGER
    write_roles = {"create": MANAGER, "decide": MANAGER, "confirm": MANAGER, "discard": MANAGER}

    def create(self, request: Request) -> Response:
        from miaopu.apps.programmes.selectors import batch_get, template_get

        data = self._input(PairingRunCreateSerializer)
        template = template_get(user=request.user, code=data["template"]) if data.get("template") else None
        batch = batch_get(user=request.user, pk=data["batch"]) if data.get("batch") else None
        run = services.pairing_run_create(
            actor=self.actor, template=template, batch=batch, roles=data.get("roles") or None, as_of=data.get("as_of")
        )
        return Response(PairingRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="接受全部或部分建议、设部分为不采用", request=DecideSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        data = self._input(DecideSerializer)
        result = services.proposals_decide(
            actor=self.actor, run=self.get_object(), accept="all" if data["accept_all"] else data["accept"],
            reject=data["reject"],
        )  # fmt: skip
        return Response(result)

    @extend_schema(
        summary="确认已接受的建议（批量建立结对）", request=ConfirmRunSerializer, responses=PairingRunSerializer
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk=None) -> Response:
        run = self.get_object()
        ships = services.pairing_confirm(
            actor=self.actor, run=run, start=self._input(ConfirmRunSerializer).get("start")
        )
        run.refresh_from_db()
        return Response({**PairingRunSerializer(run).data, "created": len(ships)})

    @extend_schema(summary="作废这次配对", request=None, responses=PairingRunSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk=None) -> Response:
        return Response(PairingRunSerializer(services.pairing_discard(actor=self.actor, run=self.get_object())).data)


@extend_schema_view(
    list=extend_schema(summary="配对建议（?run=配对编号）"), retrieve=extend_schema(summary="配对建议详情")
)
class PairingProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Base):
    selector = staticmethod(selectors.proposal_list)
    serializer_class = ProposalSerializer
    read_roles = MANAGER
    write_roles = {"swap": MANAGER, "exchange": MANAGER}

    def get_queryset(self):
        qs = super().get_queryset().order_by("id")
        run = self.request.query_params.get("run")
        return qs.filter(run_id=run) if run and run.isdigit() else qs

    @extend_schema(summary="换成可选人选中的另一名导师", request=SwapSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def swap(self, request: Request, pk=None) -> Response:
        proposal = services.proposal_swap(
            actor=self.actor, proposal=self.get_object(), mentor_key=self._input(SwapSerializer)["mentor"]
        )
        return Response(ProposalSerializer(proposal).data)

    @extend_schema(summary="与另一条同类建议对调导师", request=ExchangeSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def exchange(self, request: Request, pk=None) -> Response:
        first = self.get_object()
        second = selectors.proposal_get(user=request.user, pk=self._input(ExchangeSerializer)["other"])
        services.proposals_exchange(actor=self.actor, first=first, second=second)
        first.refresh_from_db()
        return Response(ProposalSerializer(first).data)


class AlertViewSet(_Base):
    """Computed alerts of the user's scope (组织部, unit officers; a mentor gets their own)."""

    read_roles = frozenset({Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR})

    @extend_schema(
        summary="导师帮带预警：缺少导师、60 天无记录、导师超额", responses=MentoringAlertSerializer(many=True)
    )
    def list(self, request: Request) -> Response:
        found = selectors.alerts(request.user)
        record_access(self.actor, AuditAction.SEARCH, "mentoring.alerts", detail={"rows": len(found)})
        page = self.paginate_queryset([a.__dict__ for a in found])
        return self.get_paginated_response(MentoringAlertSerializer(page, many=True).data)
