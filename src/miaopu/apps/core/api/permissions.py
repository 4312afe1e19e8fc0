"""Which roles may use an endpoint at all.

Two layers decide access. Here, per role: a role that can never read (or never change)
a kind of data is refused with 403 before anything else happens, as the web pages do
(三权分立: the three admin roles get no personnel data, not even an empty list), and a
write is refused before its body is validated, so a 400 never hints at what exists.
Then, per object: the selectors hide what is outside the user's scope (404) and the
services re-check every write (PermissionDenied → 403).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from miaopu.apps.core.access import can_manage_units, can_read_personnel, can_write_personnel, scope_root
from miaopu.apps.core.choices import Role


class _RolePermission(BasePermission):
    read_message = ""
    write_message = ""

    def can_read(self, user) -> bool:
        raise NotImplementedError

    def can_write(self, user) -> bool:
        raise NotImplementedError

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            self.message = self.read_message
            return self.can_read(request.user)
        self.message = self.write_message
        return self.can_write(request.user)


class PersonnelAccess(_RolePermission):
    """Cadres and their history: personnel roles read (within scope); 组织部 and unit officers write."""

    read_message = _("您的角色无权查看干部信息。")
    write_message = _("您的角色无权修改干部信息。")

    def can_read(self, user) -> bool:
        return can_read_personnel(user)

    def can_write(self, user) -> bool:
        return can_write_personnel(user)


class UnitAccess(_RolePermission):
    """The unit tree: unit-scoped roles browse their subtree, the security admin all (to assign scopes)."""

    read_message = _("您的角色无权查看单位信息。")
    write_message = _("只有组织部干部科可以维护本管理范围内的单位和岗位。")

    def can_read(self, user) -> bool:
        return scope_root(user) is not None or (user.is_authenticated and user.role == Role.SECADMIN)

    def can_write(self, user) -> bool:
        return can_manage_units(user)


class PostAccess(UnitAccess):
    """Posts: unit-scoped roles only (posts say who holds what, which the security admin does not need)."""

    read_message = _("您的角色无权查看岗位信息。")

    def can_read(self, user) -> bool:
        return scope_root(user) is not None
