"""Vocabularies of programmes and batches (Chinese labels are the msgids)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import spec


def _choices(mapping: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label in mapping.items()]


#: 任职/挂职/双向挂职/交流任职/实践锻炼/跟岗研修/培养计划/培训 (codes shared with the template files).
PROGRAMME_KIND_CHOICES = _choices(spec.PROGRAMME_KINDS)
GRADE_CHOICES = _choices(spec.GRADES)


class BatchStatus(models.TextChoices):
    """The steps a batch walks through, in order; a batch only ever moves forward."""

    DRAFT = "draft", _("草拟")
    CANDIDATES = "candidates", _("确定人选范围")
    NOMINATION = "nomination", _("提名")
    VETTING = "vetting", _("考察")
    ASSIGNMENT = "assignment", _("分配岗位")
    APPROVED = "approved", _("已审批")
    PLACED = "placed", _("已到岗")
    CLOSED = "closed", _("已结束")

    @classmethod
    def order(cls, value: str) -> int:
        return list(cls.values).index(value)


class CandidateStatus(models.TextChoices):
    CANDIDATE = "candidate", _("候选")
    NOMINATED = "nominated", _("已提名")
    VETTED = "vetted", _("考察通过")
    REJECTED = "rejected", _("考察有异议")
    ASSIGNED = "assigned", _("已确定人选")
    PLACED = "placed", _("已到岗")


class Side(models.TextChoices):
    """The two sides of a mirrored (two-way) exchange; which group is which is in the template."""

    A = "A", _("A 方")
    B = "B", _("B 方")


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    ENDED = "ended", _("期满结束")
    ENDED_EARLY = "ended_early", _("提前结束")


#: The five dimensions of a vetting (考察) and the department that must always be consulted.
VETTING_DIMENSIONS = [
    ("political", _("政治品质")),
    ("moral", _("道德品质")),
    ("achievement", _("工作实绩")),
    ("duty", _("履职尽责")),
    ("integrity", _("勤政廉政")),
]
DISCIPLINE_DEPARTMENT = "纪检监察"
