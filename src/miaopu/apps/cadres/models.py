"""Cadres (干部) and their experience history (履历)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miaopu.apps.core.choices import vocab_choices
from miaopu.apps.core.fields import BlindIndexField, EncryptedCharField
from miaopu.domain.vocab import (
    CadreStatus,
    Degree,
    Education,
    ExperienceKind,
    Gender,
    Hukou,
    LeadershipLevel,
    PoliticalStatus,
    PostCategory,
    Rank,
    Source,
)


class Cadre(models.Model):
    code = models.CharField(_("人员编号"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=6, choices=vocab_choices(Gender))
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"), db_index=True)
    native_place = models.CharField(_("籍贯"), max_length=50, blank=True)
    hukou = models.CharField(_("户籍"), max_length=10, choices=vocab_choices(Hukou), default=Hukou.LOCAL)
    # Encrypted at rest (SM4-GCM, core/fields.py); exact search and uniqueness through the HMAC-SM3 blind index.
    id_number = EncryptedCharField(_("身份证号"), max_length=18, null=True, blank=True)
    id_number_index = BlindIndexField(
        _("身份证号索引"), source="id_number", purpose="id_number", unique=True, help_text=_("HMAC-SM3 盲索引")
    )
    political_status = models.CharField(_("政治面貌"), max_length=14, choices=vocab_choices(PoliticalStatus))
    party_join_date = models.DateField(_("入党时间"), null=True, blank=True)
    fulltime_education = models.CharField(_("全日制学历"), max_length=12, choices=vocab_choices(Education), blank=True)
    fulltime_degree = models.CharField(_("全日制学位"), max_length=10, choices=vocab_choices(Degree), blank=True)
    fulltime_school = models.CharField(_("毕业院校"), max_length=100, blank=True)
    fulltime_major = models.CharField(_("专业"), max_length=100, blank=True)
    inservice_education = models.CharField(_("在职学历"), max_length=12, choices=vocab_choices(Education), blank=True)
    inservice_degree = models.CharField(_("在职学位"), max_length=10, choices=vocab_choices(Degree), blank=True)
    inservice_school = models.CharField(_("在职教育院校"), max_length=100, blank=True)
    inservice_major = models.CharField(_("在职教育专业"), max_length=100, blank=True)
    work_start_date = models.DateField(_("参加工作时间"), null=True, blank=True)
    civil_service_entry_date = models.DateField(_("进入公务员队伍时间"), null=True, blank=True)
    source = models.CharField(_("干部来源"), max_length=20, choices=vocab_choices(Source), default=Source.CIVIL_EXAM)
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("现工作单位"), on_delete=models.PROTECT, related_name="cadres"
    )
    post = models.ForeignKey(
        "units.Post", verbose_name=_("岗位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="holders"
    )
    post_title = models.CharField(_("现任职务"), max_length=100, blank=True)
    post_category = models.CharField(_("岗位类别"), max_length=12, choices=vocab_choices(PostCategory), blank=True)
    leadership_level = models.CharField(
        _("职务层次"), max_length=20, choices=vocab_choices(LeadershipLevel), blank=True
    )
    leadership_level_since = models.DateField(_("任现职务层次时间"), null=True, blank=True)
    rank = models.CharField(_("职级"), max_length=20, choices=vocab_choices(Rank), blank=True)
    rank_since = models.DateField(_("任现职级时间"), null=True, blank=True)
    specialties = models.CharField(_("专业特长"), max_length=300, blank=True, help_text=_("以“、”分隔"))
    status = models.CharField(_("状态"), max_length=12, choices=vocab_choices(CadreStatus), default=CadreStatus.ACTIVE)
    # Derived, never typed in: the start of the earliest experience entry at a 镇街/村社区 unit (RURAL_LEVELS), kept
    # by ``cadres.derived.refresh_first_rural_start`` on every experience write, so "rural experience as of a date"
    # is a column test (``first_rural_start <= date``) instead of a subquery over every experience row.
    first_rural_start = models.DateField(_("首次乡村工作起始时间"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["unit__path", "id"]
        indexes = [
            models.Index(fields=["unit", "id"], name="cadres_unit_id"),
            models.Index(fields=["status", "birth_date"], name="cadres_status_birth"),
            # District- and unit-scoped lists count and filter by unit, status, age and gender together.
            models.Index(fields=["unit", "status", "birth_date", "gender"], name="cadres_unit_status_birth"),
            # "Under 35 without rural experience" counts from the index alone (status, age, first rural post).
            models.Index(fields=["status", "birth_date", "first_rural_start"], name="cadres_status_birth_rural"),
            # The roster's search matches 人员编号 case-insensitively (code__iexact): UPPER(code) = UPPER(q).
            models.Index(Upper("code"), name="cadres_code_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(party_join_date__isnull=True) | Q(party_join_date__gt=models.F("birth_date")),
                name="cadres_party_after_birth",
                violation_error_message=_("入党时间应晚于出生日期。"),
            ),
            models.CheckConstraint(
                condition=Q(work_start_date__isnull=True) | Q(work_start_date__gt=models.F("birth_date")),
                name="cadres_work_after_birth",
                violation_error_message=_("参加工作时间应晚于出生日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def get_absolute_url(self) -> str:
        return reverse("cadres:cadre_detail", args=[self.pk])

    @property
    def specialty_list(self) -> list[str]:
        from miaopu.apps.units.models import split_tags

        return split_tags(self.specialties)

    @property
    def id_number_masked(self) -> str:
        from miaopu.domain.idcard import mask_id_number

        return mask_id_number(self.id_number or "")

    @property
    def is_party_member(self) -> bool:
        return self.political_status in (PoliticalStatus.CPC, PoliticalStatus.PROBATIONARY)


class Experience(models.Model):
    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="experiences")
    start = models.DateField(_("起始时间"))
    end = models.DateField(_("终止时间"), null=True, blank=True, help_text=_("空表示至今"))
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_name = models.CharField(
        _("单位名称（系统外）"), max_length=100, blank=True, help_text=_("单位不在本系统时填写，如外市、院校")
    )
    post_title = models.CharField(_("职务"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=12, choices=vocab_choices(ExperienceKind), default="posting")
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("履历")
        verbose_name_plural = _("履历")
        ordering = ["cadre_id", "start", "id"]
        indexes = [
            models.Index(fields=["cadre", "start"], name="cadres_exp_cadre_start"),
            # Secondments and loans (a few percent of the entries): who is away from home (fieldwork care flags).
            models.Index(
                fields=["start"],
                name="cadres_exp_away_start",
                condition=models.Q(kind__in=["secondment", "loan"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="cadres_exp_end_after_start",
                violation_error_message=_("终止时间不能早于起始时间。"),
            ),
        ]

    def __str__(self) -> str:
        end = self.end.isoformat() if self.end else "至今"
        return f"{self.start:%Y.%m}—{end} {self.unit_display} {self.post_title}"

    # Every single-row write refreshes the cadre's derived ``first_rural_start`` (bulk writers call
    # ``cadres.derived`` themselves); a cadre instance cached on the entry is kept in step, so a later
    # ``cadre.save()`` in the same request does not write the old value back.
    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self._refresh_cadre(self.cadre_id)

    def delete(self, *args, **kwargs):
        cadre_id = self.cadre_id
        result = super().delete(*args, **kwargs)
        self._refresh_cadre(cadre_id)
        return result

    def _refresh_cadre(self, cadre_id: int) -> None:
        from .derived import refresh_cadre

        value = refresh_cadre(cadre_id)
        cached = self._state.fields_cache.get("cadre")
        if cached is not None and cached.pk == cadre_id:
            cached.first_rural_start = value

    @property
    def unit_display(self) -> str:
        return self.unit.name if self.unit_id else self.unit_name


# --- 任免审批表 (LRMX) data that belongs to a cadre. Written by the exchange app's LRMX importer. ---------


class CadreFormInfo(models.Model):
    """The boxes of the 干部任免审批表 that have no column on the cadre, and the photo.

    Kept so an imported ``.lrmx`` file can be exported again without losing anything.
    """

    cadre = models.OneToOneField(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="form_info")
    birthplace = models.CharField(_("出生地"), max_length=50, blank=True)
    health = models.CharField(_("健康状况"), max_length=50, blank=True)
    professional_title = models.CharField(_("专业技术职务"), max_length=100, blank=True)
    proposed_post = models.CharField(_("拟任职务"), max_length=200, blank=True)
    proposed_removal = models.CharField(_("拟免职务"), max_length=200, blank=True)
    rewards = models.TextField(_("奖惩情况"), blank=True)
    annual_reviews = models.TextField(_("年度考核结果"), blank=True)
    appointment_reason = models.TextField(_("任免理由"), blank=True)
    reporting_unit = models.CharField(_("呈报单位"), max_length=100, blank=True)
    age_reference = models.CharField(_("计算年龄时间"), max_length=20, blank=True, help_text=_("按表中写法保存"))
    filled_on = models.CharField(_("填表时间"), max_length=20, blank=True, help_text=_("按表中写法保存"))
    filled_by = models.CharField(_("填表人"), max_length=50, blank=True)
    resume_extra = models.TextField(
        _("简历中未能识别的行"), blank=True, help_text=_("导入时无法拆成履历条目的简历行，原样保留，导出时附在简历末尾")
    )
    photo = models.BinaryField(_("照片"), blank=True, default=b"", editable=False)
    photo_type = models.CharField(_("照片格式"), max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("任免审批表信息")
        verbose_name_plural = _("任免审批表信息")

    def __str__(self) -> str:
        return f"{self.cadre_id} 任免审批表信息"


class FamilyMember(models.Model):
    """家庭主要成员及重要社会关系, one row of the form's table."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("干部"), on_delete=models.CASCADE, related_name="family_members")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    relation = models.CharField(_("称谓"), max_length=20)
    name = models.CharField(_("姓名"), max_length=50)
    birth = models.CharField(_("出生日期"), max_length=20, blank=True, help_text=_("按表中写法保存，如 196503"))
    political_status = models.CharField(_("政治面貌"), max_length=20, blank=True)
    work = models.CharField(_("工作单位及职务"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["cadre_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.relation} {self.name}"
