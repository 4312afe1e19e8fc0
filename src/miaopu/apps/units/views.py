"""Unit tree and posts in the web UI.

Access: the tree is for the unit-scoped roles (组织部干部科, 单位人事专员) and, read-only, for the
security admin who assigns scopes; other roles get 403. A unit or post outside the user's scope is
404 (the selectors), and only 组织部 staff may create or change units and posts (403 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core import access
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.choices import UNIT_SCOPED_ROLES, Role
from miaopu.apps.core.forms import apply_service_errors
from miaopu.domain.vocab import CadreStatus

from . import services
from .forms import PostForm, UnitForm
from .models import Unit
from .selectors import post_get, post_list, unit_get, unit_list


def _require_unit_browser(user) -> None:
    if user.role not in UNIT_SCOPED_ROLES and user.role != Role.SECADMIN:
        raise PermissionDenied(_("您的角色无权查看单位信息。"))


def _require_manager(user, unit: Unit | None = None) -> None:
    if not access.can_manage_units(user) or (unit is not None and not access.unit_in_scope(user, unit)):
        raise PermissionDenied(_("只有组织部干部科可以维护本管理范围内的单位和岗位。"))


def _counts_personnel(user) -> bool:
    return user.role in UNIT_SCOPED_ROLES


@dataclass
class TreeNode:
    unit: Unit
    own: int = 0
    total: int = 0
    children: list[TreeNode] = field(default_factory=list)


def build_tree(units: list[Unit], counts: dict[int, int]) -> list[TreeNode]:
    """Nest ``units`` (any order) and sum cadre counts up each subtree.

    Units whose parent is not in ``units`` (the top of the user's scope) become roots. Children are
    ordered by the unit's ``sort_order`` and then by name.
    """
    nodes = {u.pk: TreeNode(unit=u, own=counts.get(u.pk, 0)) for u in units}
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id)
        (parent.children if parent else roots).append(node)

    def finish(node: TreeNode) -> int:
        node.children.sort(key=lambda n: (n.unit.sort_order, n.unit.path))
        node.total = node.own + sum(finish(child) for child in node.children)
        return node.total

    # Iterative post-order would avoid recursion limits, but unit trees are a handful of levels deep.
    roots.sort(key=lambda n: (n.unit.sort_order, n.unit.path))
    for root in roots:
        finish(root)
    return roots


def iter_nodes(roots: list[TreeNode]):
    """Every node in display (pre-)order."""
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def render_tree(roots: list[TreeNode], *, show_counts: bool, open_depth: int = 1) -> SafeString:
    """The tree as nested ``<details>`` lists, built in Python.

    A city has ~700 units; doing this with template tags (two ``{% url %}`` per node) costs a few hundred
    milliseconds, string building costs a few.
    """
    detail_url = reverse("units:unit_detail", args=[0]).replace("/0/", "/{}/")
    list_url = reverse("cadres:cadre_list") + "?unit={}&status=active"
    remote = format_html('<span class="badge badge-warn">{}</span>', _("偏远"))
    level_labels = {code: str(label) for code, label in Unit._meta.get_field("level").choices}
    count_title = _("本单位 %(own)s 人，含下级单位合计")
    parts: list[str] = []

    def row(node: TreeNode) -> str:
        unit = node.unit
        html = format_html(
            '<a class="unit-name" href="{}">{}</a><span class="badge badge-level-{}">{}</span>{}',
            detail_url.format(unit.pk),
            unit.name,
            unit.level,
            level_labels.get(unit.level, unit.level),
            remote if unit.is_remote else "",
        )
        if show_counts:
            html += format_html(
                '<a class="count" href="{}" title="{}">{}</a>',
                list_url.format(unit.pk),
                count_title % {"own": node.own},
                node.total,
            )
        return html

    def walk(node: TreeNode, depth: int) -> None:
        if node.children:
            parts.append(
                format_html(
                    '<li class="branch"><details{}><summary>{}</summary><ul>',
                    mark_safe(" open") if depth < open_depth else "",
                    row(node),
                )
            )
            for child in node.children:
                walk(child, depth + 1)
            parts.append("</ul></details></li>")
        else:
            parts.append(format_html('<li class="leaf"><div class="node">{}</div></li>', row(node)))

    for root in roots:
        walk(root, 0)
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped by format_html


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_unit_browser(user)
    units = list(
        unit_list(user=user)
        .select_related(None)
        .only("id", "name", "parent_id", "level", "kind", "is_remote", "depth", "path", "sort_order")
    )
    counts: dict[int, int] = {}
    if _counts_personnel(user):
        counts = dict(
            cadre_list(user=user)
            .filter(status=CadreStatus.ACTIVE)
            .order_by()
            .values_list("unit_id")
            .annotate(n=Count("id"))
        )
    roots = build_tree(units, counts)
    return render(
        request,
        "units/unit_tree.html",
        {
            "nodes": list(iter_nodes(roots)),
            "tree_html": render_tree(roots, show_counts=_counts_personnel(user)),
            "unit_count": len(units),
            "cadre_total": sum(r.total for r in roots),
            "show_counts": _counts_personnel(user),
            "can_manage": access.can_manage_units(user),
        },
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_unit_browser(user)
    unit = unit_get(user=user, pk=pk)
    ancestor_ids = [int(seg) for seg in unit.path.strip("/").split("/")[:-1] if seg]
    ancestors = list(unit_list(user=user).select_related(None).filter(pk__in=ancestor_ids).order_by("path"))
    children = list(unit_list(user=user).select_related(None).filter(parent=unit).order_by("sort_order", "path"))
    context = {
        "unit": unit,
        "ancestors": ancestors,
        "children": children,
        "can_manage": access.can_manage_units(user) and access.unit_in_scope(user, unit),
        "show_personnel": _counts_personnel(user),
    }
    if _counts_personnel(user):
        active = cadre_list(user=user).filter(status=CadreStatus.ACTIVE)
        context["posts"] = list(post_list(user=user).filter(unit=unit).annotate(holder_count=Count("holders")))
        context["subtree_count"] = active.filter(unit__path__startswith=unit.path).count()
        context["own_count"] = active.filter(unit=unit).count()
    return render(request, "units/unit_detail.html", context)


def _unit_form_page(request: HttpRequest, form: UnitForm, unit: Unit | None) -> HttpResponse:
    return render(request, "units/unit_form.html", {"form": form, "unit": unit})


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    if request.method == "POST":
        form = UnitForm(request.POST, user=user)
        if form.is_valid():
            try:
                unit = services.unit_create(actor=Actor.from_request(request), **form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已新增单位“%(name)s”。") % {"name": unit.name})
                return redirect(unit)
    else:
        initial = {}
        parent_id = request.GET.get("parent")
        if parent_id and parent_id.isdigit():
            parent = unit_list(user=user).filter(pk=parent_id).first()
            if parent is not None:
                initial = {"parent": parent.pk, "level": parent.level, "kind": parent.kind}
        form = UnitForm(initial=initial, user=user)
    return _unit_form_page(request, form, None)


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_unit_browser(user)
    unit = unit_get(user=user, pk=pk)
    _require_manager(user, unit)
    if request.method == "POST":
        form = UnitForm(request.POST, instance=unit, user=user)
        if form.is_valid():
            try:
                services.unit_update(actor=Actor.from_request(request), unit=unit, **form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
                unit.refresh_from_db()
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                unit.refresh_from_db()
            else:
                messages.success(request, _("已保存单位“%(name)s”。") % {"name": unit.name})
                return redirect(unit)
    else:
        form = UnitForm(instance=unit, user=user)
    return _unit_form_page(request, form, unit)


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_unit_browser(user)
    post = post_get(user=user, pk=pk)
    holders = list(cadre_list(user=user).select_related(None).select_related("unit").filter(post=post).order_by("name"))
    return render(
        request,
        "units/post_detail.html",
        {
            "post": post,
            "holders": holders,
            "can_manage": access.can_manage_units(user) and access.unit_in_scope(user, post.unit),
        },
    )


@login_required
def post_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_manager(user)
    if request.method == "POST":
        form = PostForm(request.POST, user=user)
        if form.is_valid():
            try:
                post = services.post_create(actor=Actor.from_request(request), **form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已新增岗位“%(title)s”。") % {"title": post.title})
                return redirect(post.unit)
    else:
        initial = {}
        unit_id = request.GET.get("unit")
        if unit_id and unit_id.isdigit():
            unit = unit_list(user=user).filter(pk=unit_id).first()
            if unit is not None:
                initial["unit"] = unit.pk
        form = PostForm(initial=initial, user=user)
    return render(request, "units/post_form.html", {"form": form, "post": None})


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _require_unit_browser(user)
    post = post_get(user=user, pk=pk)
    _require_manager(user, post.unit)
    if request.method == "POST":
        form = PostForm(request.POST, instance=post, user=user)
        if form.is_valid():
            try:
                services.post_update(actor=Actor.from_request(request), post=post, **form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
                post.refresh_from_db()
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                post.refresh_from_db()
            else:
                messages.success(request, _("已保存岗位“%(title)s”。") % {"title": post.title})
                return redirect(post)
    else:
        form = PostForm(instance=post, user=user)
    return render(request, "units/post_form.html", {"form": form, "post": post})


@login_required
def unit_posts_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The posts of one unit in scope, for the post select of the cadre form (no page reload)."""
    user = request.user
    _require_unit_browser(user)
    unit = unit_get(user=user, pk=pk)
    posts = []
    for post in post_list(user=user).filter(unit=unit).order_by("id"):
        level = post.get_leadership_level_display()
        posts.append({"id": post.pk, "title": post.title, "label": f"{post.title}（{level}）" if level else post.title})
    return JsonResponse({"unit": unit.pk, "posts": posts})
