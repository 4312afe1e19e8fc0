"""Account administration under 三权分立 (separation of the three admin powers).

- 系统管理员 (sysadmin) creates accounts, sets passwords, enables and disables them;
- 安全管理员 (secadmin) gives each account its one role and scope;
- 审计管理员 (auditor) only reads the audit trail.

A new account starts as ``cadre`` with no linked cadre, which the access rules turn
into "sees nothing": the sysadmin who creates an account can never grant it data,
only the secadmin can. Every function here checks the actor's role itself (so the
web pages, a future API and the CLI are equally guarded), writes inside one
transaction, and leaves an audit row that never contains a password or its hash.

A CLI or system actor without a user (a server operator with shell access) may
bootstrap the first admin accounts; a web or API actor always needs the role.

A password the system administrator sets (a new account, a reset) is a one-time password:
``must_change_password`` makes the owner choose their own at the next login
(``password_change_own``). The 安全管理员 decides which roles need a second factor
(``role_policy_set``); the 系统管理员 can clear a lost authenticator (``user_reset_totp``).

The credentials and status of the 安全管理员 and 审计管理员 accounts are the 安全管理员's alone
(``account_admin_role``): otherwise the 系统管理员 could reset an auditor's password, sign in as the
auditor and hold two powers. For the same reason an account given one of those two roles loses its
old password, sessions, token and authenticators (``_revoke_credentials``), and no administrator
resets, disables or clears the authenticator of their own account through these functions.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from miaopu.apps.core.audit import Actor, diff, record, snapshot
from miaopu.apps.core.choices import UNIT_SCOPED_ROLES, AuditAction, AuditCategory, AuditSource, Role
from miaopu.apps.core.models import User
from miaopu.apps.core.services import full_clean

#: What an audit row may show of an account. Never ``password``.
ACCOUNT_FIELDS = ["username", "first_name", "role", "scope_unit", "cadre", "is_active"]
#: Roles that administer the system and see no personnel data; they have no scope.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
#: Accounts whose password, status and second factor only the 安全管理员 may touch (三权分立).
GUARDED_ROLES = frozenset({Role.SECADMIN, Role.AUDITOR})
#: Session engines whose sessions live in the ``Session`` table and can be found by user.
_DB_SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


def _require(actor: Actor, role: str) -> None:
    user = actor.user
    if user is None and actor.source in (AuditSource.CLI, AuditSource.SYSTEM):
        return
    if user is None or not user.is_active or user.role != role:
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def _is_self(actor: Actor, user: User) -> bool:
    return actor.user is not None and actor.user.pk == user.pk


def account_admin_role(target: User) -> str:
    """Who looks after ``target``'s password, status and authenticator.

    The 系统管理员 runs the life cycle of ordinary accounts (and of the system administrators). The
    credentials of the 安全管理员 and the 审计管理员 are kept by the 安全管理员 alone: if the 系统管理员 could
    set an auditor's password, they could sign in as the auditor and hold two of the three powers.
    """
    return Role.SECADMIN if target.role in GUARDED_ROLES else Role.SYSADMIN


def can_administer_account(user: User, target: User) -> bool:
    """Whether ``user`` may set ``target``'s password, enable/disable it or clear its authenticator (web pages)."""
    return bool(
        user is not None and user.is_active and user.pk != target.pk and user.role == account_admin_role(target)
    )


def _require_account_admin(actor: Actor, user: User) -> None:
    """The actor must hold the role that looks after ``user`` (see ``account_admin_role``), and not be ``user``."""
    needed = account_admin_role(user)
    if actor.user is not None and actor.user.role != needed and actor.user.role in ADMIN_ROLES:
        if needed == Role.SECADMIN:
            raise PermissionDenied(_("安全管理员和审计管理员账号的密码、状态和动态口令只能由安全管理员管理。"))
    _require(actor, needed)
    if _is_self(actor, user):
        raise PermissionDenied(_("不能通过账号管理修改自己的账号，请使用“修改密码”。"))


def _account_snapshot(user: User) -> dict:
    return snapshot(user, ACCOUNT_FIELDS)


def _check_last_admin(user: User, *, losing: str) -> None:
    """Refuse to leave the system without an active holder of an admin role (nobody could then repair it)."""
    if user.role not in ADMIN_ROLES or not user.is_active:
        return
    others = User.objects.filter(role=user.role, is_active=True).exclude(pk=user.pk)
    if not others.exists():
        raise ValidationError(
            {
                losing: _("“%(user)s”是最后一个在用的%(role)s账号，不能变更；请先为其他账号分配该角色。")
                % {"user": user.username, "role": user.get_role_display()}
            }
        )


def _password_errors(password: str, user: User) -> list[str]:
    """Django's configured password validators; their messages come out in the active language (Chinese)."""
    if not password:
        return [_("请填写密码。")]
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@transaction.atomic
def user_create(*, actor: Actor, username: str, full_name: str, password: str) -> User:
    """Create an account with role ``cadre`` and no linked cadre: it sees nothing until the secadmin assigns a role."""
    _require(actor, Role.SYSADMIN)
    user = User(
        username=(username or "").strip(),
        first_name=(full_name or "").strip(),
        role=Role.CADRE,
        is_active=True,
        must_change_password=True,
    )
    errors: dict[str, list[str]] = {}
    if not user.first_name:
        errors["full_name"] = [_("请填写姓名。")]
    password_errors = _password_errors(password, user)
    if password_errors:
        errors["password"] = password_errors
    full_clean(user, errors, exclude=["password"])
    user.set_password(password)
    user.save()
    record(
        actor,
        category=AuditCategory.AUTH,
        action=AuditAction.CREATE,
        obj=user,
        after=_account_snapshot(user),
    )
    return user


@transaction.atomic
def user_set_password(*, actor: Actor, user: User, password: str) -> User:
    """Set an initial or reset password. Django's session hash check then logs the user out of other sessions.

    The 系统管理员 resets ordinary accounts; the 安全管理员 resets the 安全管理员 and 审计管理员 accounts.
    """
    _require_account_admin(actor, user)
    errors = _password_errors(password, user)
    if errors:
        raise ValidationError({"password": errors})
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record(
        actor,
        category=AuditCategory.AUTH,
        action=AuditAction.UPDATE,
        obj=user,
        detail={"password_reset": True},
    )
    return user


@transaction.atomic
def password_change_own(*, actor: Actor, user: User, old_password: str, new_password: str) -> User:
    """The account holder replaces their password (first login, expiry, or by choice).

    The old password is asked again so that a session left open cannot be used to take the account over.
    """
    if actor.user is None or actor.user.pk != user.pk or not user.is_active:
        raise PermissionDenied(_("只能修改自己的密码。"))
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password or ""):
        errors["old_password"] = [_("原密码不正确。")]
    elif old_password == new_password:
        errors["new_password"] = [_("新密码不能与原密码相同。")]
    else:
        problems = _password_errors(new_password, user)
        if problems:
            errors["new_password"] = problems
    if errors:
        raise ValidationError(errors)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    record(actor, category=AuditCategory.AUTH, action=AuditAction.UPDATE, obj=user, detail={"password_changed": True})
    return user


@transaction.atomic
def role_policy_set(*, actor: Actor, role: str, require_totp: bool):
    """Require (or stop requiring) a TOTP second factor for every account of ``role`` (安全管理员 only).

    Turning it on deletes the role's API tokens, which were issued without a second factor.
    """
    from rest_framework.authtoken.models import Token

    from .models import RoleSecurityPolicy

    _require(actor, Role.SECADMIN)
    if role not in Role.values:
        raise ValidationError({"role": [_("请选择有效的角色。")]})
    policy, _created = RoleSecurityPolicy.objects.select_for_update().get_or_create(role=role)
    if policy.require_totp == require_totp:
        return policy
    before = {"require_totp": policy.require_totp}
    policy.require_totp = require_totp
    policy.save()
    detail = None
    if require_totp:
        deleted, _rows = Token.objects.filter(user__role=role).delete()
        detail = {"api_tokens_deleted": deleted}
    record(
        actor,
        category=AuditCategory.AUTH,
        action=AuditAction.UPDATE,
        obj=policy,
        object_repr=str(Role(role).label),
        before=before,
        after={"require_totp": require_totp},
        detail=detail,
    )
    return policy


@transaction.atomic
def user_reset_totp(*, actor: Actor, user: User) -> int:
    """Remove an account's authenticators (lost phone); it enrols a new one at its next login.

    The 系统管理员 clears ordinary accounts, the 安全管理员 the 安全管理员 and 审计管理员 accounts.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require_account_admin(actor, user)
    removed, _rows = TOTPDevice.objects.filter(user=user).delete()
    record(actor, category=AuditCategory.AUTH, action=AuditAction.UPDATE, obj=user, detail={"totp_reset": removed})
    return removed


def _end_sessions(user: User) -> int:
    """Delete every stored session of ``user``, so a disabled account is logged out on every browser at once."""
    if settings.SESSION_ENGINE not in _DB_SESSION_ENGINES:
        # Other stores cannot be searched by user; the auth backend still refuses inactive users on the next request.
        return 0
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    uid = str(user.pk)
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == uid:
            store_class(session_key=session.session_key).delete()
            ended += 1
    return ended


def _revoke_credentials(user: User) -> dict:
    """An account that becomes 安全管理员 or 审计管理员 loses every credential it had.

    Its password may have been set by the 系统管理员 (or changed by someone who knew that one-time password),
    so it becomes unusable; sessions, API token and authenticators go too. The 安全管理员 then sets a one-time
    password (``user_set_password``), which the holder replaces at the first login.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user.set_unusable_password()
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    devices, _rows = TOTPDevice.objects.filter(user=user).delete()
    return {
        "credentials_revoked": True,
        "sessions_ended": _end_sessions(user),
        "api_token_deleted": _delete_api_token(user),
        "totp_removed": devices,
    }


def _delete_api_token(user: User) -> bool:
    from rest_framework.authtoken.models import Token

    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


@transaction.atomic
def user_set_active(*, actor: Actor, user: User, active: bool) -> User:
    """Enable or disable an account. Disabling ends its sessions and deletes its API token (logged out everywhere)."""
    if not active and _is_self(actor, user):
        raise PermissionDenied(_("不能停用自己的账号。"))
    _require_account_admin(actor, user)
    if user.is_active == active:
        return user
    if not active:
        _check_last_admin(user, losing="is_active")
    before = _account_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    detail = None
    if not active:
        detail = {"sessions_ended": _end_sessions(user), "api_token_deleted": _delete_api_token(user)}
    old, new = diff(before, _account_snapshot(user))
    record(
        actor, category=AuditCategory.AUTH, action=AuditAction.UPDATE, obj=user, before=old, after=new, detail=detail
    )
    return user


@transaction.atomic
def user_assign_role(
    *,
    actor: Actor,
    user: User,
    role: str,
    scope_unit=None,
    cadre_code: str | None = None,
) -> User:
    """Give an account its one role and the scope that role needs.

    - 组织部干部科 / 单位人事专员: a scope unit (their unit subtree);
    - 干部本人: the cadre, named by 人员编号 (the secadmin never browses a personnel list), not linked elsewhere;
    - 导师: a Mentor profile is created for the account if it has none;
    - the admin roles: no scope and no cadre.
    """
    from miaopu.apps.cadres.models import Cadre
    from miaopu.apps.mentoring.models import Mentor

    _require(actor, Role.SECADMIN)
    if _is_self(actor, user):
        raise PermissionDenied(_("不能修改自己的角色。"))
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if role not in Role.values:
        add("role", _("请选择有效的角色。"))
    code = (cadre_code or "").strip()
    cadre = None
    if role in UNIT_SCOPED_ROLES:
        if scope_unit is None:
            add("scope_unit", _("“%(role)s”角色必须指定管理范围（单位）。") % {"role": Role(role).label})
    elif scope_unit is not None and role in Role.values:
        add("scope_unit", _("“%(role)s”角色没有管理范围，请清空该项。") % {"role": Role(role).label})
    if role == Role.CADRE:
        if not code:
            add("cadre_code", _("“干部本人”角色必须填写对应干部的人员编号。"))
        else:
            cadre = Cadre.objects.filter(code=code).first()
            if cadre is None:
                add("cadre_code", _("人员编号“%(code)s”不存在，请核对。") % {"code": code})
            elif User.objects.filter(cadre=cadre).exclude(pk=user.pk).exists():
                add("cadre_code", _("人员编号“%(code)s”已关联其他账号。") % {"code": code})
    elif code:
        add("cadre_code", _("只有“干部本人”角色需要填写人员编号，请清空该项。"))
    if role != user.role:
        try:
            _check_last_admin(user, losing="role")
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    before = _account_snapshot(user)
    # A server operator bootstrapping the first admins from the command line sets their passwords there.
    guarded_now = actor.user is not None and role in GUARDED_ROLES and user.role not in GUARDED_ROLES
    user.role = role
    user.scope_unit = scope_unit if role in UNIT_SCOPED_ROLES else None
    user.cadre = cadre
    full_clean(user)
    user.save(update_fields=["role", "scope_unit", "cadre"])
    detail = None
    if guarded_now:
        detail = _revoke_credentials(user)
    if role == Role.MENTOR:
        mentor, created = Mentor.objects.get_or_create(user=user, defaults={"name": user.display_name})
        if created:
            detail = {**(detail or {}), "mentor_profile_created": mentor.pk}
    old, new = diff(before, _account_snapshot(user))
    record(
        actor, category=AuditCategory.AUTH, action=AuditAction.UPDATE, obj=user, before=old, after=new, detail=detail
    )
    return user
