"""Units (单位) form a tree; posts (岗位/职务) belong to units."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.choices import vocab_choices
from miaopu.domain.vocab import GRASSROOTS_LEVELS, RURAL_LEVELS, LeadershipLevel, PostCategory, UnitKind, UnitLevel

PATH_SEGMENT = 7  # digits per level of the materialised path


class Unit(models.Model):
    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("单位层级"), max_length=10, choices=vocab_choices(UnitLevel))
    kind = models.CharField(_("单位性质"), max_length=12, choices=vocab_choices(UnitKind), default=UnitKind.PARTY_GOV)
    is_remote = models.BooleanField(_("偏远"), default=False)
    tags = models.CharField(_("标签"), max_length=200, blank=True, help_text=_("以“、”分隔，如：乡村振兴、项目建设"))
    sort_order = models.IntegerField(_("排序"), default=0)
    # Derived from the tree by the services (never edited by hand):
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    district = models.ForeignKey(
        "self",
        verbose_name=_("所属区县"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("units:unit_detail", args=[self.pk])

    @property
    def is_grassroots(self) -> bool:
        return self.level in GRASSROOTS_LEVELS

    @property
    def is_rural(self) -> bool:
        return self.level in RURAL_LEVELS

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.tags)


def split_tags(text: str) -> list[str]:
    import re

    return [t for t in (p.strip() for p in re.split(r"[、;；,，\s]+", text or "")) if t]


class Post(models.Model):
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(_("职务名称"), max_length=100)
    category = models.CharField(_("岗位类别"), max_length=12, choices=vocab_choices(PostCategory))
    leadership_level = models.CharField(
        _("职务层次"), max_length=20, choices=vocab_choices(LeadershipLevel), blank=True
    )
    is_township_head = models.BooleanField(
        _("乡镇党政正职"), default=False, help_text=_("乡镇（街道）党委书记、镇长、乡长、党工委书记、办事处主任")
    )
    headcount = models.PositiveSmallIntegerField(_("职数"), default=1)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["unit__path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "title"],
                name="units_post_unique_title",
                violation_error_message=_("该单位已有同名岗位。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("units:post_detail", args=[self.pk])
