"""The menu each role sees in the web UI.

One account has one role, so the menu is a fixed list per role. URLs are resolved when the menu is
built and entries whose URL name does not exist (an app not installed yet) are left out instead of
breaking every page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .choices import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool = False


#: (label, URL name) per role. ``None`` as URL name marks an entry built from the user (the cadre's own file).
_MENUS: dict[str, list[tuple[str, str | None]]] = {
    Role.ORGDEPT: [
        (_("首页"), "home"),
        (_("干部名单"), "cadres:cadre_list"),
        (_("培养项目"), "programmes:template_list"),
        (_("导师帮带"), "mentoring:home"),
        (_("成长档案"), "growth:index"),
        (_("考核"), "assessments:cycle_list"),
        (_("教育培训"), "training:class_list"),
        (_("基层实践"), "fieldwork:home"),
        (_("人才库"), "pools:index"),
        (_("统计与预警"), "analytics:dashboard"),
        (_("数据交换"), "exchange:index"),
        (_("我的任务"), "jobs:job_list"),
        (_("单位与岗位"), "units:unit_tree"),
    ],
    Role.UNIT_OFFICER: [
        (_("首页"), "home"),
        (_("干部名单"), "cadres:cadre_list"),
        (_("导师帮带"), "mentoring:home"),
        (_("考核"), "assessments:cycle_list"),
        (_("教育培训"), "training:mine"),
        (_("基层实践"), "fieldwork:home"),
        (_("统计与预警"), "analytics:dashboard"),
        (_("数据交换"), "exchange:index"),
        (_("我的任务"), "jobs:job_list"),
        (_("单位与岗位"), "units:unit_tree"),
    ],
    Role.MENTOR: [
        (_("首页"), "home"),
        (_("我的帮带对象"), "cadres:cadre_list"),
        (_("帮带记录"), "mentoring:home"),
        (_("调研课题"), "training:topic_list"),
    ],
    Role.CADRE: [
        (_("首页"), "home"),
        (_("我的档案"), None),
        (_("我的导师"), "mentoring:home"),
        (_("我的培训与点单"), "training:mine"),
    ],
    Role.SYSADMIN: [(_("首页"), "home"), (_("账号管理"), "accounts:user_list")],
    Role.SECADMIN: [
        (_("首页"), "home"),
        (_("账号与权限"), "accounts:user_list"),
        (_("安全策略"), "accounts:security_policy"),
        (_("单位"), "units:unit_tree"),
    ],
    Role.AUDITOR: [(_("首页"), "home"), (_("审计日志"), "accounts:audit_list")],
}


def safe_reverse(name: str, *args) -> str | None:
    """``reverse`` that answers None for a URL name another app has not registered (yet)."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return None


def _resolve(user, name: str | None) -> str | None:
    if name is None:
        cadre_id = getattr(user, "cadre_id", None)
        return safe_reverse("cadres:cadre_detail", cadre_id) if cadre_id else None
    return safe_reverse(name)


def menu_for(user, path: str = "") -> list[NavItem]:
    """The menu entries for ``user``; the entry whose URL best matches ``path`` is marked active."""
    if not getattr(user, "is_authenticated", False):
        return []
    entries = [(label, url) for label, name in _MENUS.get(user.role, []) if (url := _resolve(user, name))]
    best = ""
    for _label, url in entries:
        matches = path == url if url == "/" else path.startswith(url)
        if matches and len(url) > len(best):
            best = url
    return [NavItem(label=str(label), url=url, active=url == best) for label, url in entries]


def console_url(user) -> str | None:
    """The admin console of the three admin roles (None for personnel roles)."""
    name = {
        Role.SYSADMIN: "accounts:user_list",
        Role.SECADMIN: "accounts:user_list",
        Role.AUDITOR: "accounts:audit_list",
    }.get(getattr(user, "role", ""))
    return safe_reverse(name) if name else None
