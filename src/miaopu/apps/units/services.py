"""Writes to the unit tree and posts. Each function validates, writes atomically and audits."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from miaopu.apps.core.access import require_unit_manage
from miaopu.apps.core.audit import Actor, record_change, snapshot
from miaopu.apps.core.choices import AuditAction
from miaopu.apps.core.services import apply_fields, full_clean
from miaopu.domain.vocab import UnitLevel

from .models import PATH_SEGMENT, Post, Unit

UNIT_FIELDS = ["name", "short_name", "parent", "level", "kind", "is_remote", "tags", "sort_order"]
POST_FIELDS = ["unit", "title", "category", "leadership_level", "is_township_head", "headcount"]

_LEVEL_ORDER = {level.value: i for i, level in enumerate(UnitLevel)}


def _tree_errors(unit: Unit) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    parent = unit.parent
    if parent is None:
        if unit.level != UnitLevel.CITY:
            errors["parent"] = [_("只有市级单位可以没有上级单位。")]
        elif Unit.objects.filter(parent__isnull=True).exclude(pk=unit.pk).exists():
            errors["parent"] = [_("系统中已有根单位，请选择上级单位。")]
        return errors
    if unit.pk and (parent.pk == unit.pk or parent.path.startswith(unit.path)):
        errors["parent"] = [_("上级单位不能是本单位或其下级单位。")]
    elif unit.level in _LEVEL_ORDER and _LEVEL_ORDER[unit.level] < _LEVEL_ORDER[parent.level]:
        errors["level"] = [
            _("单位层级“%(level)s”不能高于上级单位“%(parent)s”的层级“%(plevel)s”。")
            % {"level": unit.get_level_display(), "parent": parent.name, "plevel": parent.get_level_display()}
        ]
    return errors


def _refresh_tree(unit: Unit) -> None:
    """Recompute path, depth and district for ``unit`` and its whole subtree."""
    parent = unit.parent
    unit.path = (parent.path if parent else "") + f"{unit.pk:0{PATH_SEGMENT}d}/"
    unit.depth = parent.depth + 1 if parent else 0
    # The district is the topmost county-level unit on the path: a county organ (区财政局, level county)
    # belongs to its 区/县, it is not a district of its own.
    if parent is not None and parent.district_id is not None:
        unit.district = parent.district
    else:
        unit.district = unit if unit.level == UnitLevel.COUNTY else None
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth, district=unit.district)
    for child in Unit.objects.filter(parent=unit):
        child.parent = unit
        _refresh_tree(child)


@transaction.atomic
def unit_create(*, actor: Actor, **data) -> Unit:
    require_unit_manage(actor.user, data.get("parent"))
    unit = Unit()
    apply_fields(unit, data, UNIT_FIELDS)
    full_clean(unit, _tree_errors(unit), exclude=["path"])
    unit.save()
    _refresh_tree(unit)
    record_change(actor, AuditAction.CREATE, unit, after=snapshot(unit))
    return unit


@transaction.atomic
def unit_update(*, actor: Actor, unit: Unit, **data) -> Unit:
    require_unit_manage(actor.user, unit)
    if "parent" in data and data["parent"] is not None:
        require_unit_manage(actor.user, data["parent"])
    before = snapshot(unit)
    apply_fields(unit, data, UNIT_FIELDS)
    full_clean(unit, _tree_errors(unit))
    unit.save()
    if before["parent"] != unit.parent_id or before["level"] != unit.level:
        _refresh_tree(unit)
    if before["level"] != unit.level:  # whose history counts as rural experience may change (cadres.derived)
        from miaopu.apps.cadres.derived import refresh_first_rural_start_for_units

        refresh_first_rural_start_for_units([unit.pk])
    record_change(actor, AuditAction.UPDATE, unit, before=before, after=snapshot(unit))
    return unit


@transaction.atomic
def unit_delete(*, actor: Actor, unit: Unit) -> None:
    require_unit_manage(actor.user, unit)
    from miaopu.apps.cadres.models import Cadre, Experience

    problems = []
    if unit.children.exists():
        problems.append(_("该单位还有下级单位"))
    if Cadre.objects.filter(unit=unit).exists():
        problems.append(_("该单位还有干部"))
    if Experience.objects.filter(unit=unit).exists():
        problems.append(_("有干部履历引用该单位"))
    if unit.posts.exists():
        problems.append(_("该单位还有岗位"))
    if problems:
        raise ValidationError(_("不能删除：%(why)s。请先处理后再删除。") % {"why": "；".join(problems)})
    before = snapshot(unit)
    record_change(actor, AuditAction.DELETE, unit, before=before)
    unit.delete()


def _post_errors(post: Post) -> dict[str, list[str]]:
    if post.is_township_head and post.unit_id and post.unit.level != UnitLevel.TOWN:
        return {"is_township_head": [_("乡镇党政正职岗位只能设在镇街单位。")]}
    return {}


@transaction.atomic
def post_create(*, actor: Actor, **data) -> Post:
    require_unit_manage(actor.user, data.get("unit"))
    post = Post()
    apply_fields(post, data, POST_FIELDS)
    full_clean(post, _post_errors(post))
    post.save()
    record_change(actor, AuditAction.CREATE, post, after=snapshot(post))
    return post


@transaction.atomic
def post_update(*, actor: Actor, post: Post, **data) -> Post:
    require_unit_manage(actor.user, post.unit)
    if "unit" in data:
        require_unit_manage(actor.user, data["unit"])
    before = snapshot(post)
    apply_fields(post, data, POST_FIELDS)
    full_clean(post, _post_errors(post))
    post.save()
    record_change(actor, AuditAction.UPDATE, post, before=before, after=snapshot(post))
    return post


@transaction.atomic
def post_delete(*, actor: Actor, post: Post) -> None:
    require_unit_manage(actor.user, post.unit)
    record_change(actor, AuditAction.DELETE, post, before=snapshot(post))
    post.delete()
