"""The growth file (成长档案, 一人一档): what staff record by hand, next to what other apps record by themselves.

Three tables, because the sensitivity differs:

* :class:`GrowthEntry` — achievements, mass evaluations, rewards, research reports, practical affairs, care
  contacts, promotions, training: visible to whoever may see the cadre's file.
* :class:`Talk` (谈心谈话) and :class:`Punishment` (惩戒: 处分、组织处理、诫勉) — 组织部干部科 only. Their
  free text (``problems``, ``follow_up``, ``content`` / ``description``) is encrypted at rest with SM4-GCM
  (``core.fields.EncryptedTextField``); callers see plain strings. Encrypted text cannot be searched in SQL.

Every record has a date, an author, a source (who reported it or the document it comes from) and may carry
attachments (:class:`Attachment`, size- and type-checked, stored under random names, served by a scoped view).
The timeline (``timeline.py``) merges these with experience entries, placements, programme stages, mentoring
records, assessments, reviews and pool entries.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.fields import EncryptedTextField


class EntryKind(models.TextChoices):
    ACHIEVEMENT = "achievement", _("工作实绩")
    MASS_EVALUATION = "mass_evaluation", _("群众评价")
    REWARD = "reward", _("奖励")
    RESEARCH = "research", _("调研成果")
    PRACTICAL_AFFAIR = "practical_affair", _("办实事")
    CARE = "care", _("关心关爱")
    PROMOTION = "promotion", _("提拔使用")
    TRAINING = "training", _("教育培训")
    OTHER = "other", _("其他")


class PunishmentKind(models.TextChoices):
    ADMONITION = "admonition", _("诫勉")
    ORGANISATIONAL = "organisational", _("组织处理")
    WARNING = "warning", _("警告")
    DEMERIT = "demerit", _("记过")
    MAJOR_DEMERIT = "major_demerit", _("记大过")
    DEMOTION = "demotion", _("降级")
    DISMISSAL = "dismissal", _("撤职")
    PARTY_WARNING = "party_warning", _("党内警告")
    PARTY_SERIOUS_WARNING = "party_serious_warning", _("党内严重警告")
    OTHER = "other", _("其他")


class ThoughtState(models.TextChoices):
    STABLE = "stable", _("思想稳定、积极向上")
    FLUCTUATING = "fluctuating", _("有一定思想波动")
    CONCERNING = "concerning", _("思想问题较突出，需重点关注")


class _Record(models.Model):
    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    source = models.CharField(
        _("来源"), max_length=100, blank=True, help_text=_("报送单位、文件号或记录人，如：青石镇党委")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        abstract = True


class GrowthEntry(_Record):
    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="growth_entries"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=EntryKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    details = EncryptedTextField(_("内容"), blank=True)
    score = models.DecimalField(
        _("分数"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("群众评价得分、培训成绩等（0—100）"),
    )
    respondents = models.CharField(
        _("评价对象"), max_length=200, blank=True, help_text=_("群众评价问了谁，如：驻点村村民、镇机关同事")
    )
    respondent_count = models.PositiveIntegerField(_("参评人数"), null=True, blank=True)
    level = models.CharField(_("等级"), max_length=50, blank=True, help_text=_("奖项或成果等级，如：一等奖、市级"))

    class Meta:
        verbose_name = _("成长记录")
        verbose_name_plural = _("成长记录")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "-date"], name="growth_entry_cadre_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="growth_entry_score_range",
                violation_error_message=_("分数应在 0—100 之间。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}：{self.title}"


class Talk(_Record):
    """谈心谈话: who talked, the thought state found, problems raised and the follow-up agreed."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="talks")
    talker = models.CharField(_("谈话人"), max_length=100)
    thought_state = models.CharField(_("思想状况"), max_length=12, choices=ThoughtState.choices)
    problems = EncryptedTextField(_("反映的问题"), blank=True)
    follow_up = EncryptedTextField(_("跟进措施"), blank=True)
    content = EncryptedTextField(_("谈话内容"))

    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "-date"], name="growth_talk_cadre_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 谈心谈话（{self.talker}）"


class Punishment(_Record):
    """A punishment or organisational measure and the period during which it bars promotion."""

    cadre = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="punishments"
    )
    kind = models.CharField(_("类别"), max_length=24, choices=PunishmentKind.choices)
    decided_by = models.CharField(_("决定机关"), max_length=100, blank=True)
    description = EncryptedTextField(_("事由"))
    blocks_until = models.DateField(
        _("影响期至"), null=True, blank=True, help_text=_("此日期前不得提拔或晋升职级；空表示影响期未定")
    )

    class Meta:
        verbose_name = _("惩戒")
        verbose_name_plural = _("惩戒")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["cadre", "-date"], name="growth_punish_cadre_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(blocks_until__isnull=True) | Q(blocks_until__gte=models.F("date")),
                name="growth_punishment_period",
                violation_error_message=_("影响期截止日期不能早于决定日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A random stored name: the user's file name is kept in the row, never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"growth/{instance.cadre_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file on one growth entry, talk or punishment (exactly one); readable by whoever may read that record."""

    cadre = models.ForeignKey("cadres.Cadre", verbose_name=_("干部"), on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(
        GrowthEntry,
        verbose_name=_("成长记录"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    talk = models.ForeignKey(
        Talk, verbose_name=_("谈心谈话"), null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    punishment = models.ForeignKey(
        Punishment, verbose_name=_("惩戒"), null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(entry__isnull=False) & Q(talk__isnull=True) & Q(punishment__isnull=True))
                | (Q(entry__isnull=True) & Q(talk__isnull=False) & Q(punishment__isnull=True))
                | (Q(entry__isnull=True) & Q(talk__isnull=True) & Q(punishment__isnull=False)),
                name="growth_attachment_one_owner",
                violation_error_message=_("附件必须属于且只属于一条记录。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> GrowthEntry | Talk | Punishment:
        return self.entry or self.talk or self.punishment

    @property
    def is_confidential(self) -> bool:
        return self.entry_id is None
