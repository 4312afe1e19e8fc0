"""The admin consoles: accounts (sysadmin, secadmin) and the audit log (auditor).

Views are thin: the selectors refuse the wrong role (403), the services decide what
is valid and write the audit rows. The personnel roles never reach these pages,
and the admin roles never reach personnel pages (their selectors return nothing).
"""

from __future__ import annotations

import base64
import json
from functools import wraps

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from miaopu.apps.core.access import require_role
from miaopu.apps.core.audit import Actor, record, record_access
from miaopu.apps.core.choices import AuditAction, AuditCategory, Role
from miaopu.apps.core.forms import apply_service_errors
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.units.selectors import unit_list

from . import security, services
from .filtersets import AccountFilterSet, AuditEventFilterSet, object_type_choices
from .forms import OwnPasswordForm, PasswordForm, RoleForm, RolePolicyForm, TotpForm, UserCreateForm
from .selectors import account_get, account_list, audit_event_get, audit_event_list

AUDIT_PAGE_SIZE = 50
ACCOUNT_PAGE_SIZE = 100


def role_required(*roles: str):
    """Log in first (redirect), then the role (403): the same answer for every other role."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            require_role(request.user, *roles)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def _role_label(value: str) -> str:
    return str(Role(value).label) if value in Role.values else value


# --- accounts -----------------------------------------------------------------------------------------------------


@role_required(Role.SYSADMIN, Role.SECADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    filterset = AccountFilterSet(request.GET or None, queryset=account_list(user=request.user))
    page = Paginator(filterset.qs, ACCOUNT_PAGE_SIZE).get_page(request.GET.get("page"))
    for account in page.object_list:
        account.administrable = services.can_administer_account(request.user, account)
    return render(
        request,
        "accounts/user_list.html",
        {
            "filterset": filterset,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "is_sysadmin": request.user.role == Role.SYSADMIN,
            "is_secadmin": request.user.role == Role.SECADMIN,
        },
    )


@role_required(Role.SYSADMIN)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                actor=Actor.from_request(request),
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            apply_service_errors(form, _rename(exc, password="password1"))
        else:
            messages.success(
                request,
                _("已创建账号“%(username)s”。该账号暂无任何数据权限，请安全管理员为其分配角色。")
                % {"username": user.username},
            )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("新建账号"), "mode": "create"})


def _administered_account(request: HttpRequest, pk: int):
    """The account whose password / status / authenticator the requester looks after, else 403 (三权分立)."""
    target = account_get(user=request.user, pk=pk)
    if not services.can_administer_account(request.user, target):
        raise PermissionDenied(
            _("安全管理员和审计管理员账号只能由安全管理员管理，其他账号由系统管理员管理；不能管理自己的账号。")
        )
    return target


@role_required(Role.SYSADMIN, Role.SECADMIN)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = _administered_account(request, pk)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                actor=Actor.from_request(request), user=target, password=form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            apply_service_errors(form, _rename(exc, password="password1"))
        else:
            messages.success(request, _("已重置账号“%(username)s”的密码。") % {"username": target.username})
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "target": target, "title": _("设置密码"), "mode": "password"},
    )


@require_POST
@role_required(Role.SYSADMIN, Role.SECADMIN)
def user_toggle_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = _administered_account(request, pk)
    wanted = request.POST.get("active")
    active = (wanted == "1") if wanted in ("0", "1") else not target.is_active
    try:
        services.user_set_active(actor=Actor.from_request(request), user=target, active=active)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if active:
            messages.success(request, _("已启用账号“%(username)s”。") % {"username": target.username})
        else:
            messages.success(
                request, _("已停用账号“%(username)s”，该账号已在所有设备上退出。") % {"username": target.username}
            )
    return redirect("accounts:user_list")


@role_required(Role.SECADMIN)
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    target = account_get(user=request.user, pk=pk)
    if target.pk == request.user.pk:
        raise PermissionDenied(_("不能修改自己的角色。"))
    initial = {
        "role": target.role,
        "scope_unit": target.scope_unit_id,
        "cadre_code": target.cadre.code if target.cadre_id else "",
    }
    form = RoleForm(request.POST or None, initial=initial, units=unit_list(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_assign_role(
                actor=Actor.from_request(request),
                user=target,
                role=form.cleaned_data["role"],
                scope_unit=form.cleaned_data["scope_unit"],
                cadre_code=form.cleaned_data["cadre_code"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("已将账号“%(username)s”的角色设为“%(role)s”。")
                % {"username": target.username, "role": target.get_role_display()},
            )
            if not target.has_usable_password():
                messages.warning(
                    request,
                    _("该账号原有的密码、会话和动态口令已作废，请点击“设置密码”为其设置一次性密码。"),
                )
            return redirect("accounts:user_list")
    return render(request, "accounts/user_role.html", {"form": form, "target": target})


def _rename(exc: ValidationError, **names: str) -> ValidationError:
    """Service field names → form field names (the service says ``password``, the form has two boxes)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(field, field): msgs for field, msgs in exc.message_dict.items()})


# --- audit log ----------------------------------------------------------------------------------------------------


def _type_labels() -> dict[str, str]:
    return dict(object_type_choices())


@role_required(Role.AUDITOR)
def audit_list(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first. The auditor's own search is recorded too: who watches the watcher."""
    filterset = AuditEventFilterSet(request.GET or None, queryset=audit_event_list(user=request.user))
    page = Paginator(filterset.qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = _type_labels()
    rows = [
        {
            "event": event,
            "role": _role_label(event.actor_role),
            "type": labels.get(event.object_type, event.object_type),
            "fields": [name for name, _old, _new in event.changed_fields],
        }
        for event in page.object_list
    ]
    used = {key: value for key, value in request.GET.items() if key != "page" and value.strip()}
    record_access(
        Actor.from_request(request),
        AuditAction.SEARCH,
        AuditEvent,
        detail={"filters": used, "page": page.number, "results": page.paginator.count},
    )
    return render(
        request,
        "accounts/audit_list.html",
        {
            "filterset": filterset,
            "page_obj": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "rows": rows,
            "object_types": object_type_choices(),
        },
    )


def _model_fields(object_type: str) -> dict:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    return {f.name: f for f in model._meta.concrete_fields}


def _show(value, field=None) -> str:
    """A stored value as the auditor reads it: choice labels instead of codes, 是/否, — for empty."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    if value in choices:
        return f"{choices[value]}（{value}）"
    return str(value)


@role_required(Role.AUDITOR)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = audit_event_get(user=request.user, pk=pk)
    fields = _model_fields(event.object_type)
    changes = []
    for name, old, new in event.changed_fields:
        field = fields.get(name)
        label = str(field.verbose_name) if field is not None else name
        changes.append({"name": name, "label": label, "before": _show(old, field), "after": _show(new, field)})
    detail = [(key, _show(value)) for key, value in (event.detail or {}).items()]
    record_access(Actor.from_request(request), AuditAction.VIEW, event)
    return render(
        request,
        "accounts/audit_detail.html",
        {
            "event": event,
            "role": _role_label(event.actor_role),
            "type": _type_labels().get(event.object_type, event.object_type),
            "changes": changes,
            "detail": detail,
        },
    )


# --- the account holder's own security: password change, second factor; lockout page ----------------------------


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return reverse("home")


@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password; forced after an administrator set it, and every 90 days."""
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change_own(
                actor=Actor.from_request(request),
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            update_session_auth_hash(request, request.user)  # stay signed in here; other sessions end
            messages.success(request, _("密码已修改。"))
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "reason": security.password_change_reason(request.user),
            "next": _next_url(request),
            "has_totp": security.totp_devices(request.user).exists(),
        },
    )


def _qr_svg(uri: str) -> str:
    """The enrolment link as an inline SVG QR code, drawn here (nothing is fetched from elsewhere)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@never_cache
@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in for roles that require TOTP: enrol an authenticator once, then verify."""
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    if getattr(user, "is_verified", lambda: False)():
        return redirect(_next_url(request))
    devices = list(security.totp_devices(user))
    enrolling = not devices
    if enrolling:
        device = security.totp_devices(user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=_("验证器"), confirmed=False)
        devices = [device]
    form = TotpForm(request.POST or None)
    waits = [info["locked_until"] for d in devices for ok, info in [d.verify_is_allowed()] if not ok and info]
    if request.method == "POST" and form.is_valid() and waits and len(waits) == len(devices):
        # django-otp doubles the wait after each wrong code (1, 2, 4 … seconds): guessing gets nowhere.
        seconds = max(1, int((min(waits) - timezone.now()).total_seconds()) + 1)
        form.add_error("code", _("尝试过于频繁，请 %(s)s 秒后再试。") % {"s": seconds})
    elif request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        device = next((d for d in devices if d.verify_token(code)), None)
        actor = Actor.from_request(request)
        if device is not None:
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record(
                actor,
                category=AuditCategory.AUTH,
                action=AuditAction.LOGIN,
                obj=user,
                detail={"second_factor": "totp", "enrolled": enrolling},
            )
            messages.success(request, _("动态口令验证通过。"))
            return redirect(_next_url(request))
        record(
            actor,
            category=AuditCategory.AUTH,
            action=AuditAction.LOGIN_FAILED,
            obj=user,
            detail={"second_factor": "totp"},
        )
        form.add_error("code", _("动态口令不正确或已过期，请稍候查看验证器上的新口令再试。"))
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        device = devices[0]
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
        context["qr_svg"] = mark_safe(_qr_svg(device.config_url))  # noqa: S308 - SVG generated here, no user input
    return render(request, "accounts/otp.html", context)


@role_required(Role.SECADMIN)
def security_policy(request: HttpRequest) -> HttpResponse:
    """Which roles must use a TOTP second factor (安全管理员)."""
    from .models import RoleSecurityPolicy

    current = dict(RoleSecurityPolicy.objects.values_list("role", "require_totp"))
    form = RolePolicyForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        changed = 0
        for role, wanted in form.wanted().items():
            if current.get(role, False) != wanted:
                services.role_policy_set(actor=actor, role=role, require_totp=wanted)
                changed += 1
        if changed:
            messages.success(request, _("已保存安全策略。"))
        return redirect("accounts:security_policy")
    return render(request, "accounts/security_policy.html", {"form": form})


@require_POST
@role_required(Role.SYSADMIN, Role.SECADMIN)
def user_reset_totp(request: HttpRequest, pk: int) -> HttpResponse:
    target = _administered_account(request, pk)
    services.user_reset_totp(actor=Actor.from_request(request), user=target)
    messages.success(
        request, _("已清除账号“%(username)s”的动态口令验证器，其下次登录时需重新绑定。") % {"username": target.username}
    )
    return redirect("accounts:user_list")


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out user name gets (django-axes): a Chinese page, or JSON on the API; status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("连续 %(n)s 次登录失败，该账号已被锁定 %(m)s 分钟。请稍后再试，或联系系统管理员。") % {
        "n": settings.AXES_FAILURE_LIMIT,
        "m": minutes,
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "accounts/locked.html", {"message": message}, status=429)
