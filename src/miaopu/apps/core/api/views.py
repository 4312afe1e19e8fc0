"""The core endpoints: API root, token sign-in, who-am-I, and the offline Redoc page."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from .serializers import CredentialsSerializer, MeSerializer, TokenResponseSerializer


class ApiRootView(APIView):
    """Links to every collection, so the browsable API can be explored from /api/."""

    permission_classes = [IsAuthenticated]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        def link(name: str) -> str:
            return reverse(name, request=request)

        return Response(
            {
                "units": link("api-unit-list"),
                "posts": link("api-post-list"),
                "cadres": link("api-cadre-list"),
                "experiences": link("api-experience-list"),
                "me": link("api-me"),
                "token": link("api-token"),
                "schema": link("schema"),
                "docs": link("api-docs"),
            }
        )


class ObtainTokenView(APIView):
    """Exchange a user name and password for an API token (``Authorization: Token <key>``).

    The audit trail gets the attempt through Django's own signals, exactly like the
    login page: ``authenticate()`` sends ``user_login_failed`` on a bad password, and a
    good one is announced with ``user_logged_in`` (which also updates ``last_login``).
    The accounts app turns both into ``auth`` events; the request path makes the source "api".
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        request=CredentialsSerializer,
        responses={200: TokenResponseSerializer},
        auth=[],
        tags=["auth"],
        summary="获取接口令牌",
        description="POST the user name and password; send the token back as `Authorization: Token <token>`. "
        "Every attempt, good or bad, is written to the audit trail.",
    )
    def post(self, request: Request) -> Response:
        form = CredentialsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(
            request=http_request, username=form.validated_data["username"], password=form.validated_data["password"]
        )
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [_("用户名或密码不正确，或账号已停用。")]})
        from miaopu.apps.accounts.security import api_login_problem

        problem = api_login_problem(user, form.validated_data.get("otp"))
        if problem is not None:  # the same steps the web login demands: a new password, a second factor
            raise serializers.ValidationError({"non_field_errors": [problem]})
        token, _created = Token.objects.get_or_create(user=user)
        user_logged_in.send(sender=type(user), request=http_request, user=user)
        return Response({"token": token.key})


class MeView(APIView):
    """Who the token or session belongs to: role and scope, so a client knows what it will see."""

    @extend_schema(responses={200: MeSerializer}, tags=["auth"], summary="当前用户")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class OfflineRedocView(SpectacularRedocView):
    """drf-spectacular's Redoc page without the Google Fonts links (the intranet has no internet)."""

    template_name = "core/api_redoc.html"
