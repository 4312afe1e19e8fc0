"""Cadres and their experience over the API.

Codes travel with their Chinese labels (``gender`` + ``gender_display``); the ID number
can be written but is only ever read back masked; ``version`` is returned on every
read and must come back on every update, so a lost update becomes a 409.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.api.serializers import ScopedRelatedFieldsMixin, display_field
from miaopu.apps.units.models import Unit
from miaopu.apps.units.selectors import post_list, unit_list
from miaopu.domain.dates import age_on


class ChoiceLabelField(serializers.CharField):
    """The label of a coded field, as ``get_<field>_display()`` gives it (read-only).

    The field's choices are translated once per serializer (one request) instead of on every row: Django's
    ``get_FOO_display`` rebuilds and hashes the whole choice list each call, and DRF inspects the method's signature
    each time — for the 12 labels of a 50-row page that was most of the list endpoint's time.
    """

    def __init__(self, field: str, **kwargs):
        self.choice_field = field
        super().__init__(source=field, read_only=True, **kwargs)

    def to_representation(self, value):
        labels = self.__dict__.get("_labels")
        if labels is None:
            model_field = self.parent.Meta.model._meta.get_field(self.choice_field)
            labels = self._labels = {str(k): str(v) for k, v in model_field.flatchoices}
        return labels.get(value, value)


class CadreSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    """A cadre's record. ``id_number`` is write-only (reads show ``id_number_masked``); ``version`` is read-only."""

    scoped_fields = {"unit": unit_list, "post": post_list}

    gender_display = ChoiceLabelField("gender")
    age = serializers.SerializerMethodField(label=_("年龄"))
    hukou_display = ChoiceLabelField("hukou")
    id_number_masked = serializers.CharField(read_only=True, label=_("身份证号（脱敏）"))
    political_status_display = ChoiceLabelField("political_status")
    fulltime_education_display = ChoiceLabelField("fulltime_education")
    fulltime_degree_display = ChoiceLabelField("fulltime_degree")
    inservice_education_display = ChoiceLabelField("inservice_education")
    inservice_degree_display = ChoiceLabelField("inservice_degree")
    source_display = ChoiceLabelField("source")
    unit_name = serializers.CharField(source="unit.name", read_only=True, label=_("现工作单位名称"))
    post_category_display = ChoiceLabelField("post_category")
    leadership_level_display = ChoiceLabelField("leadership_level")
    rank_display = ChoiceLabelField("rank")
    status_display = ChoiceLabelField("status")

    class Meta:
        model = Cadre
        fields = [
            "id", "code", "name", "gender", "gender_display", "ethnicity", "birth_date", "age", "native_place",
            "hukou", "hukou_display", "id_number", "id_number_masked", "political_status",
            "political_status_display", "party_join_date", "fulltime_education", "fulltime_education_display",
            "fulltime_degree", "fulltime_degree_display", "fulltime_school", "fulltime_major",
            "inservice_education", "inservice_education_display", "inservice_degree", "inservice_degree_display",
            "inservice_school", "inservice_major", "work_start_date", "civil_service_entry_date", "source",
            "source_display", "unit", "unit_name", "post", "post_title", "post_category", "post_category_display",
            "leadership_level", "leadership_level_display", "leadership_level_since", "rank", "rank_display",
            "rank_since", "specialties", "status", "status_display", "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["version", "created_at", "updated_at"]
        extra_kwargs = {
            # The service normalises the ID number and checks uniqueness after normalising; the code is
            # generated when left empty. So the serializer only checks shapes here.
            "id_number": {"write_only": True, "validators": []},
            "code": {"required": False, "allow_blank": True, "validators": []},
        }

    def get_age(self, cadre: Cadre) -> int:
        return age_on(cadre.birth_date, dt.date.today())


class CadreUpdateSerializer(CadreSerializer):
    """Updates carry the ``version`` the client read; the service refuses (409) if the cadre changed since."""

    version = serializers.IntegerField(
        min_value=1, label=_("版本"), help_text=_("读取时得到的 version；若他人已修改，返回 409，不做任何修改。")
    )

    class Meta(CadreSerializer.Meta):
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict) -> dict:
        # PATCH skips "required" checks, so insist on the version here for both PUT and PATCH.
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [_("修改时必须提供读取时的版本号（version）。")]})
        return attrs


class ExperienceSerializer(ScopedRelatedFieldsMixin, serializers.ModelSerializer):
    """One line of a cadre's history: a unit of the system (``unit``) or one outside it (``unit_name``)."""

    # A history may name any unit of the city (a cadre's earlier posts lie outside today's scope);
    # the cadre itself must be one the user may see.
    scoped_fields = {"cadre": cadre_list}

    cadre_name = serializers.CharField(source="cadre.name", read_only=True, label=_("干部姓名"))
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), allow_null=True, required=False, label=_("单位")
    )
    unit_display = serializers.CharField(read_only=True, label=_("单位（显示）"))
    kind_display = display_field("kind")

    class Meta:
        model = Experience
        fields = [
            "id", "cadre", "cadre_name", "start", "end", "unit", "unit_display", "unit_name", "post_title", "kind",
            "kind_display", "note",
        ]  # fmt: skip

    def validate_cadre(self, cadre):
        if self.instance is not None and cadre.pk != self.instance.cadre_id:
            raise serializers.ValidationError(_("履历不能改到其他干部名下；请在该干部名下新增。"))
        return cadre
