"""Access scoping: the one place that decides which personnel rows a user may see or change.

Every personnel queryset in a view, the API, an export or a command is passed
through ``restrict_*`` here (usually via an app's selectors). Objects outside the
scope simply do not exist for the user (404), so probing ids reveals nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .choices import PERSONNEL_WRITER_ROLES, UNIT_SCOPED_ROLES, Role

if TYPE_CHECKING:
    from miaopu.apps.cadres.models import Cadre
    from miaopu.apps.units.models import Unit

    from .models import User


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def scope_root(user: User) -> Unit | None:
    """The unit whose subtree a unit-scoped user manages (None: no unit scope)."""
    if not _active(user) or user.role not in UNIT_SCOPED_ROLES:
        return None
    return user.scope_unit


def _scope_is_whole_tree(unit: Unit) -> bool:
    return unit.parent_id is None


def restrict_units(qs: QuerySet, user: User) -> QuerySet:
    """Units a user may browse: their subtree (unit-scoped roles) or all (the security admin, to assign scopes)."""
    if not _active(user):
        return qs.none()
    if user.role == Role.SECADMIN:
        return qs
    root = scope_root(user)
    if root is None:
        return qs.none()
    if _scope_is_whole_tree(root):
        return qs
    return qs.filter(path__startswith=root.path)


def restrict_posts(qs: QuerySet, user: User) -> QuerySet:
    if not _active(user):
        return qs.none()
    root = scope_root(user)
    if root is None:
        return qs.none()
    if _scope_is_whole_tree(root):
        return qs
    return qs.filter(unit__path__startswith=root.path)


def restrict_cadres(qs: QuerySet, user: User, *, through: str = "") -> QuerySet:
    """Cadres (or rows hanging off a cadre, via ``through='cadre__'``) the user may read."""
    if not _active(user):
        return qs.none()
    role = user.role
    if role in UNIT_SCOPED_ROLES:
        root = user.scope_unit
        if root is None:
            return qs.none()
        if _scope_is_whole_tree(root):
            return qs
        return qs.filter(**{f"{through}unit__path__startswith": root.path})
    if role == Role.MENTOR:
        return qs.filter(
            **{f"{through}mentorships__mentor__user": user, f"{through}mentorships__is_active": True}
        ).distinct()
    if role == Role.CADRE:
        if user.cadre_id is None:
            return qs.none()
        return qs.filter(**{f"{through}pk" if not through else f"{through}id": user.cadre_id})
    return qs.none()


def unit_in_scope(user: User, unit: Unit) -> bool:
    root = scope_root(user)
    return root is not None and (unit.path or "").startswith(root.path)


def can_read_personnel(user: User) -> bool:
    return _active(user) and user.role in {Role.ORGDEPT, Role.UNIT_OFFICER, Role.MENTOR, Role.CADRE}


def can_write_personnel(user: User) -> bool:
    return _active(user) and user.role in PERSONNEL_WRITER_ROLES and user.scope_unit_id is not None


def can_export_personnel(user: User) -> bool:
    """Rosters and cadre forms may be exported by the unit-scoped roles (always limited to their scope)."""
    return _active(user) and user.role in UNIT_SCOPED_ROLES and user.scope_unit_id is not None


def can_manage_units(user: User) -> bool:
    """The unit tree is maintained by 组织部 staff (within their scope)."""
    return _active(user) and user.role == Role.ORGDEPT and user.scope_unit_id is not None


def require_cadre_write(user: User, cadre: Cadre) -> None:
    if not can_write_personnel(user) or not unit_in_scope(user, cadre.unit):
        raise PermissionDenied(_("您无权修改该干部的信息。"))


def require_unit_target(user: User, unit: Unit) -> None:
    """A cadre may only be placed in (or moved to) a unit inside the writer's scope."""
    if not unit_in_scope(user, unit):
        raise PermissionDenied(_("单位“%(unit)s”不在您的管理范围内。") % {"unit": unit.name})


def require_unit_manage(user: User, unit: Unit | None) -> None:
    if not can_manage_units(user) or (unit is not None and not unit_in_scope(user, unit)):
        raise PermissionDenied(_("您无权维护该单位。"))


def require_role(user: User, *roles: str) -> None:
    if not _active(user) or user.role not in roles:
        raise PermissionDenied(_("您的角色无权进行此操作。"))
