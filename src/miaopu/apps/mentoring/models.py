"""Mentors and mentorships (导师帮带). The foundation needs them for the mentor role's scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MentorRole(models.TextChoices):
    POLITICAL = "political", _("政治导师")
    BUSINESS = "business", _("业务导师")
    MASS_WORK = "mass_work", _("群众工作导师")
    SHADOWING = "shadowing", _("跟岗导师")


class Mentor(models.Model):
    """A mentor: a cadre in the system, or a person outside it (a village party secretary, a teacher)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentor_profile",
    )
    cadre = models.OneToOneField(
        "cadres.Cadre", verbose_name=_("对应干部"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    unit_name = models.CharField(_("单位"), max_length=100, blank=True)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("导师")
        verbose_name_plural = _("导师")

    def __str__(self) -> str:
        return self.name


class Mentorship(models.Model):
    mentee = models.ForeignKey(
        "cadres.Cadre", verbose_name=_("帮带对象"), on_delete=models.CASCADE, related_name="mentorships"
    )
    mentor = models.ForeignKey(Mentor, verbose_name=_("导师"), on_delete=models.PROTECT, related_name="mentorships")
    role = models.CharField(_("导师类型"), max_length=20, choices=MentorRole.choices)
    start = models.DateField(_("开始时间"))
    end = models.DateField(_("结束时间"), null=True, blank=True)
    is_active = models.BooleanField(_("在带"), default=True)

    class Meta:
        verbose_name = _("结对帮带")
        verbose_name_plural = _("结对帮带")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="mentoring_end_after_start",
                violation_error_message=_("结束时间不能早于开始时间。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}（{self.get_role_display()}）"
