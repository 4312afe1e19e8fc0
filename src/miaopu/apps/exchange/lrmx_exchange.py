"""任免审批表 exchange: ``.lrmx`` files in and out, and the form as a Word document.

Import maps the boxes of each form onto a cadre (created or updated, matched by 人员编号 from Miaopu's
extension element, else by 身份证号), parses the 简历 into experience entries (lines it cannot read are
kept as text and reported), and keeps what has no cadre column — photo, family members, 拟任/拟免职务,
奖惩, 考核, 任免理由 … — in ``CadreFormInfo``/``FamilyMember``. All files of one upload are checked first
and written together in one transaction with one audit record, like the roster import.

Export writes the same boxes back plus Miaopu's extension (人员编号, exact dates, the structured
experience) so that re-importing an exported file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from miaopu.apps.cadres.derived import refresh_cadre
from miaopu.apps.cadres.models import Cadre, CadreFormInfo, Experience, FamilyMember
from miaopu.apps.cadres.selectors import cadre_timeline
from miaopu.apps.cadres.services import CODE_PREFIX, cadre_errors, experience_errors
from miaopu.apps.core.audit import Actor, record, record_access
from miaopu.apps.core.choices import UNIT_SCOPED_ROLES, AuditAction, AuditCategory
from miaopu.apps.core.fields import blind_lookup
from miaopu.apps.units.models import Unit
from miaopu.domain import lrmx as L
from miaopu.domain.dates import age_on
from miaopu.domain.idcard import normalize_id_number, validate_id_number
from miaopu.domain.roster import CADRES, EXPERIENCE, HeaderMap, format_cell, parse_row
from miaopu.domain.vocab import PARTY_STATUSES, Degree, Education, ExperienceKind, PoliticalStatus

from .files import Limits, UnsafeFile, limits_from_settings, read_lrmx_files
from .report import ImportReport, Progress
from .roster_import import require_importer

FORM_INFO_FIELDS = [
    "birthplace", "health", "professional_title", "proposed_post", "proposed_removal", "rewards",
    "annual_reviews", "appointment_reason", "reporting_unit", "age_reference", "filled_on", "filled_by",
]  # fmt: skip
_LABEL = {attr: f"{label}（{element}）" for element, attr, label in L.PERSON_ELEMENTS}
_KIND_SUFFIX = {k.value: f"（{k.label}）" for k in ExperienceKind if k != ExperienceKind.POSTING}
_DEMOCRATIC = ("民革", "民盟", "民建", "民进", "农工", "致公", "九三", "台盟", "民主党派")


def _require_form_reader(user) -> None:
    if not (user and user.is_active and user.role in UNIT_SCOPED_ROLES and user.scope_unit_id):
        raise PermissionDenied(_("您的角色不能导出任免审批表。"))


# --- cadre → form --------------------------------------------------------------------------------------


def _school_text(school: str, major: str) -> str:
    if major and not major.endswith("专业"):
        major += "专业"
    return f"{school}{major}"


def _post_text(unit_name: str, post_title: str) -> str:
    if not post_title or post_title.startswith(unit_name):
        return post_title
    return f"{unit_name}{post_title}"


def _entry_text(entry: Experience) -> str:
    text = (entry.unit.name if entry.unit_id else entry.unit_name) + entry.post_title
    suffix = _KIND_SUFFIX.get(entry.kind, "")
    if suffix and not text.endswith(suffix):
        text += suffix
    if entry.note:
        text += "\n" + entry.note
    return text


def _jianli_entries(experiences: list[Experience]) -> list[L.JianLiEntry]:
    return [L.JianLiEntry(e.start, e.end, _entry_text(e)) for e in experiences]


def cadre_to_person(cadre: Cadre, *, extension: bool = True) -> L.LrmxPerson:
    """The 任免审批表 of ``cadre`` as an :class:`LrmxPerson` (what ``build_lrmx`` writes)."""
    info = CadreFormInfo.objects.filter(cadre=cadre).first() or CadreFormInfo(cadre=cadre)
    experiences = cadre_timeline(cadre)
    degree_label = {d.value: d.label for d in Degree}
    education_label = {e.value: e.label for e in Education}
    resume = L.format_jianli(_jianli_entries(experiences))
    if info.resume_extra:
        resume = (resume + "\n" + info.resume_extra).strip("\n")
    person = L.LrmxPerson(
        name=cadre.name,
        gender=str(format_cell(CADRES.column("gender"), cadre.gender) or ""),
        birth=L.format_month(cadre.birth_date),
        ethnicity=cadre.ethnicity,
        native_place=cadre.native_place,
        party_join=L.format_month(cadre.party_join_date),
        work_start=L.format_month(cadre.work_start_date),
        specialties=cadre.specialties,
        fulltime_education=education_label.get(cadre.fulltime_education, ""),
        fulltime_degree=degree_label.get(cadre.fulltime_degree, ""),
        fulltime_school=_school_text(cadre.fulltime_school, cadre.fulltime_major),
        fulltime_degree_school=_school_text(cadre.fulltime_school, cadre.fulltime_major)
        if cadre.fulltime_degree and cadre.fulltime_degree != Degree.NONE
        else "",
        inservice_education=education_label.get(cadre.inservice_education, ""),
        inservice_degree=degree_label.get(cadre.inservice_degree, ""),
        inservice_school=_school_text(cadre.inservice_school, cadre.inservice_major),
        inservice_degree_school=_school_text(cadre.inservice_school, cadre.inservice_major)
        if cadre.inservice_degree and cadre.inservice_degree != Degree.NONE
        else "",
        current_post=_post_text(cadre.unit.name, cadre.post_title),
        resume=resume,
        id_number=cadre.id_number or "",
        photo=bytes(info.photo or b""),
        family=[
            L.FamilyMember(m.relation, m.name, m.birth, m.political_status, m.work)
            for m in FamilyMember.objects.filter(cadre=cadre).order_by("position", "id")
        ],
    )
    for attr in FORM_INFO_FIELDS:
        setattr(person, attr, getattr(info, attr))
    if extension:
        for column in CADRES.columns:
            value = cadre.unit.name if column.field == "unit" else getattr(cadre, column.field)
            shown = format_cell(column, value)
            if shown is None:
                continue
            person.extension[column.field] = shown.isoformat() if isinstance(shown, dt.date) else str(shown)
        kind_column = EXPERIENCE.column("kind")
        person.extension_experience = [
            {
                "start": e.start.isoformat(),
                "end": e.end.isoformat() if e.end else "",
                "unit": e.unit.name if e.unit_id else "",
                "unit_name": e.unit_name,
                "post_title": e.post_title,
                "kind": str(format_cell(kind_column, e.kind)),
                "note": e.note,
            }
            for e in experiences
        ]
    return person


def cadre_lrmx(*, actor: Actor, cadre: Cadre, extension: bool = True) -> bytes:
    """The ``.lrmx`` file of a cadre the actor may see (callers fetch ``cadre`` through ``cadre_get``)."""
    _require_form_reader(actor.user)
    data = L.build_lrmx(cadre_to_person(cadre, extension=extension), extension=extension)
    record_access(actor, AuditAction.EXPORT, cadre, detail={"format": "lrmx"})
    return data


# --- form → cadre --------------------------------------------------------------------------------------


@dataclass
class _FormPlan:
    file_name: str
    person: L.LrmxPerson
    cadre: Cadre
    existing_pk: int | None
    experiences: list[Experience] | None  # None: keep the stored experience
    info: dict[str, Any]
    family: list[L.FamilyMember]
    changed: dict[str, bool] = field(default_factory=dict)


def _education(text: str) -> str | None:
    value = (text or "").strip()
    if not value:
        return ""
    try:
        return Education.from_label(value).value
    except KeyError:
        pass
    for needle, code in (("博士", "doctorate"), ("硕士", "master"), ("研究生", "master"), ("本科", "bachelor"),
                         ("大学", "bachelor"), ("专科", "college"), ("大专", "college"), ("中专", "secondary"),
                         ("高中", "high_school"), ("初中", "high_school")):  # fmt: skip
        if needle in value:
            return code
    return None


def _degree(text: str) -> str | None:
    value = (text or "").strip()
    if not value:
        return ""
    try:
        return Degree.from_label(value).value
    except KeyError:
        pass
    for needle, code in (("博士", "doctor"), ("硕士", "master"), ("学士", "bachelor")):
        if needle in value:
            return code
    return None


_SCHOOL_SPLIT = re.compile(r"^(?P<school>.*?(?:大学|学院|学校|党校|研究院|研究所))(?P<major>.*?)(?:专业)?$")


def _split_school(text: str) -> tuple[str, str]:
    value = (text or "").strip()
    match = _SCHOOL_SPLIT.match(value)
    if not match:
        return value[:100], ""
    return match["school"][:100], match["major"][:100]


class LrmxImporter:
    def __init__(self, actor: Actor, report: ImportReport, *, default_unit: Unit | None, today: dt.date):
        self.actor = actor
        self.user = actor.user
        self.report = report
        self.default_unit = default_unit
        self.today = today
        self.root_path = self.user.scope_unit.path
        self.units = {u.name: u for u in Unit.objects.all()}
        self.unit_names = sorted(self.units, key=len, reverse=True)
        self.plans: list[_FormPlan] = []
        self.seen_keys: dict[str, str] = {}

    def _in_scope(self, unit: Unit) -> bool:
        return unit.path.startswith(self.root_path)

    def _error(self, file_name: str, attr: str, message: str, value: str = "") -> None:
        self.report.error(file_name, message, header=_LABEL.get(attr, attr), value=value)

    def _warn(self, file_name: str, attr: str, message: str, value: str = "") -> None:
        self.report.warn(file_name, message, header=_LABEL.get(attr, attr), value=value)

    def _unit_prefix(self, text: str) -> Unit | None:
        for name in self.unit_names:
            if text.startswith(name):
                return self.units[name]
        return None

    def _extension_values(self, person: L.LrmxPerson) -> dict[str, Any]:
        """The extension's cadre fields, read with the roster's own column rules (labels, dates)."""
        if not person.extension:
            return {}
        fields_present = [c.field for c in CADRES.columns if c.field in person.extension]
        headers = HeaderMap(index={name: i for i, name in enumerate(fields_present)})
        row = parse_row(CADRES, headers, 0, [person.extension[n] for n in fields_present])
        if row is None:
            return {}
        bad = {e.field for e in row.errors}
        return {k: v for k, v in row.values.items() if k not in bad}

    def plan(self, file_name: str, person: L.LrmxPerson) -> None:
        for warning in person.warnings:
            self._warn(file_name, "photo", warning)
        ext = self._extension_values(person)
        id_number = normalize_id_number(person.id_number)
        code = ext.get("code", "")
        if not id_number and not code:
            self._error(file_name, "id_number", _("缺少身份证号，无法确定是哪一名干部。请在表中填写身份证号。"))
            return
        for key in (code, id_number):
            if key and key in self.seen_keys:
                self._error(
                    file_name,
                    "id_number",
                    _("与“%(f)s”是同一名干部，请只保留一份。") % {"f": self.seen_keys[key]},
                    key,
                )
                return
        for key in (code, id_number):
            if key:
                self.seen_keys[key] = file_name
        existing = None
        if code:
            existing = Cadre.objects.select_related("unit").filter(code=code).first()
        if existing is None and id_number:
            # Encrypted column: matched through its HMAC-SM3 blind index.
            existing = Cadre.objects.select_related("unit").filter(blind_lookup("id_number_index", id_number)).first()
        if existing is not None and not self._in_scope(existing.unit):
            self._error(file_name, "name", _("该干部不在您的管理范围内，不能通过导入修改。"), person.name)
            return

        values: dict[str, Any] = {}
        ok = True

        def need(attr: str, parsed: Any, message: str) -> Any:
            nonlocal ok
            if parsed is None:
                self._error(file_name, attr, message, getattr(person, attr))
                ok = False
            return parsed

        values["name"] = person.name.strip()
        if not values["name"]:
            need("name", None, _("姓名不能为空。"))
        gender = {"男": "male", "女": "female"}.get(person.gender.strip())
        values["gender"] = need("gender", gender, _("性别应为“男”或“女”。"))
        birth = L.parse_month(person.birth)
        need("birth", birth, _("出生年月应写成 YYYYMM，如 199205。"))
        if birth is not None:
            # The form only has the month; the exact day comes from the extension or the ID number.
            exact = ext.get("birth_date")
            check = validate_id_number(id_number) if id_number else None
            if exact and (exact.year, exact.month) == (birth.year, birth.month):
                birth = exact
            elif check and check.ok and (check.birth_date.year, check.birth_date.month) == (birth.year, birth.month):
                birth = check.birth_date
            values["birth_date"] = birth
        values["ethnicity"] = person.ethnicity.strip() or "汉族"
        values["native_place"] = person.native_place.strip()[:50]
        values["id_number"] = id_number or None
        for attr, model_field in (("party_join", "party_join_date"), ("work_start", "work_start_date")):
            text = getattr(person, attr).strip()
            parsed = L.parse_month(text)
            exact = ext.get(model_field)
            if parsed is not None and exact and (exact.year, exact.month) == (parsed.year, parsed.month):
                parsed = exact
            if text and parsed is None and attr == "work_start":
                need(attr, None, _("参加工作时间应写成 YYYYMM，如 201408。"))
            values[model_field] = parsed
        party_text = person.party_join.strip()
        status = ext.get("political_status")
        kept = existing.political_status if existing is not None else None
        if values["party_join_date"] is not None:
            if status not in PARTY_STATUSES:
                status = kept if kept in PARTY_STATUSES else PoliticalStatus.CPC.value
        elif party_text and any(p in party_text for p in _DEMOCRATIC):
            status = PoliticalStatus.DEMOCRATIC.value
        elif party_text and "无党派" in party_text:
            status = PoliticalStatus.INDEPENDENT.value
        else:
            if party_text:
                self._warn(file_name, "party_join", _("入党时间无法识别，未导入。"), party_text)
            # No date on the form says nothing about the status: the extension, else what is stored.
            status = status or kept or PoliticalStatus.MASSES.value
        values["political_status"] = status
        values["specialties"] = "、".join(p for p in re.split(r"[、;；,，\s]+", person.specialties) if p)[:300]
        for prefix in ("fulltime", "inservice"):
            education = _education(getattr(person, f"{prefix}_education"))
            degree = _degree(getattr(person, f"{prefix}_degree"))
            if education is None:
                self._warn(file_name, f"{prefix}_education", _("学历无法识别，未导入该项。"),
                           getattr(person, f"{prefix}_education"))  # fmt: skip
                education = ""
            if degree is None:
                self._warn(file_name, f"{prefix}_degree", _("学位无法识别，未导入该项。"),
                           getattr(person, f"{prefix}_degree"))  # fmt: skip
                degree = ""
            values[f"{prefix}_education"] = education
            values[f"{prefix}_degree"] = degree
            school_text = getattr(person, f"{prefix}_school").strip()
            ext_school, ext_major = ext.get(f"{prefix}_school", ""), ext.get(f"{prefix}_major", "")
            if school_text == _school_text(ext_school, ext_major):
                values[f"{prefix}_school"], values[f"{prefix}_major"] = ext_school, ext_major
            else:
                values[f"{prefix}_school"], values[f"{prefix}_major"] = _split_school(school_text)

        # The unit: the extension names it; else the default chosen on upload; else the 现任职务 text.
        unit = None
        if ext.get("unit") in self.units:
            unit = self.units[ext["unit"]]
        elif existing is not None:
            unit = existing.unit
        elif self.default_unit is not None:
            unit = self.default_unit
        else:
            unit = self._unit_prefix(person.current_post.strip())
        if unit is None:
            self._error(
                file_name,
                "current_post",
                _("无法确定现工作单位：请在上传时选择单位（命令行用 --unit）。"),
                person.current_post,
            )
            return
        if not self._in_scope(unit):
            self._error(file_name, "current_post", _("单位“%(u)s”不在您的管理范围内。") % {"u": unit.name})
            return
        post_text = person.current_post.strip()
        if post_text == _post_text(unit.name, ext.get("post_title", "")):
            values["post_title"] = ext.get("post_title", "")
        else:
            values["post_title"] = post_text[len(unit.name) :] if post_text.startswith(unit.name) else post_text
        values["post_title"] = values["post_title"][:100]
        # Fields the form has no box for: from the extension, else kept (update) or defaults (new).
        for name in ("code", "hukou", "civil_service_entry_date", "source", "post_category", "leadership_level",
                     "leadership_level_since", "rank", "rank_since", "status"):  # fmt: skip
            if name in ext:
                values[name] = ext[name]
        if existing is not None:
            values.pop("code", None)
        if not ok:
            return

        if existing is not None:
            cadre = Cadre.objects.select_related("unit", "post").get(pk=existing.pk)
            before = {k: getattr(cadre, k) for k in values}
            for key, value in values.items():
                setattr(cadre, key, value)
            if cadre.unit_id != unit.pk:
                cadre.post = None
            cadre.unit = unit
            cadre_changed = before != {k: getattr(cadre, k) for k in values} or cadre.unit_id != existing.unit_id
        else:
            cadre = Cadre(unit=unit)
            for key, value in values.items():
                setattr(cadre, key, value)
            cadre_changed = True
        problems = cadre_errors(cadre, today=self.today)
        attr_of = {"birth_date": "birth", "party_join_date": "party_join", "work_start_date": "work_start"}
        for field_name, messages in problems.items():
            for message in messages:
                self._error(file_name, attr_of.get(field_name, field_name), message)
        if problems:
            return

        # 简历 → experience. The extension's structured entries win when they still match the text.
        parsed = L.parse_jianli(person.resume)
        for line in parsed.unparsed:
            self._warn(file_name, "resume", _("这一行无法识别为“YYYY.MM--YYYY.MM 经历”，已原样保留。"), line)
        experiences = self._experience_from_extension(person, parsed)
        if experiences is None:
            experiences = [self._experience_from_jianli(file_name, entry) for entry in parsed.entries]
        entries: list[Experience] = []
        for entry in experiences:
            entry.cadre = cadre
            problems = experience_errors(entry)
            for messages in problems.values():
                for message in messages:
                    self._error(file_name, "resume", message, f"{entry.start:%Y.%m} {entry.post_title}")
            entries.append(entry)
        info = {attr: getattr(person, attr).strip() for attr in FORM_INFO_FIELDS}
        info["resume_extra"] = "\n".join(parsed.unparsed)
        plan = _FormPlan(file_name, person, cadre, existing.pk if existing else None, entries, info, person.family)
        plan.changed["cadre"] = cadre_changed
        self.plans.append(plan)

    def _experience_from_extension(self, person: L.LrmxPerson, parsed: L.JianLiParse) -> list[Experience] | None:
        if not person.extension_experience:
            return None
        kinds = {k.label: k.value for k in ExperienceKind}
        entries = []
        try:
            for item in person.extension_experience:
                unit_name = item.get("unit", "")
                unit = self.units.get(unit_name) if unit_name else None
                if unit_name and unit is None:
                    return None
                entries.append(
                    Experience(
                        start=dt.date.fromisoformat(item["start"]),
                        end=dt.date.fromisoformat(item["end"]) if item.get("end") else None,
                        unit=unit,
                        unit_name=item.get("unit_name", ""),
                        post_title=item.get("post_title", ""),
                        kind=kinds.get(item.get("kind", ""), ExperienceKind.POSTING.value),
                        note=item.get("note", ""),
                    )
                )
        except (KeyError, ValueError):
            return None
        as_text = L.parse_jianli(L.format_jianli(_jianli_entries(entries))).entries
        return entries if as_text == parsed.entries else None

    def _experience_from_jianli(self, file_name: str, item: L.JianLiEntry) -> Experience:
        first, *more = item.text.split("\n")
        kind = ExperienceKind.POSTING.value
        for code, suffix in _KIND_SUFFIX.items():
            if first.endswith(suffix):
                kind, first = code, first[: -len(suffix)]
                break
        unit = self._unit_prefix(first)
        if unit is not None:
            unit_name, post_title = "", first[len(unit.name) :]
        else:
            unit_name, post_title = first, ""
        if len(unit_name) > 100:
            self._warn(file_name, "resume", _("经历文字超过 100 字，已截断。"), first)
        return Experience(
            start=item.start,
            end=item.end,
            unit=unit,
            unit_name=unit_name[:100],
            post_title=post_title[:100],
            kind=kind,
            note="；".join(more)[:200],
        )

    # --- writing --------------------------------------------------------------------------------------

    def write(self) -> None:
        counts = self.report.count(_("干部"))
        exp_counts = self.report.count(_("履历"))
        form_counts = self.report.count(_("任免审批表"))
        next_code = None
        for plan in self.plans:
            cadre = plan.cadre
            if plan.existing_pk is None:
                if not cadre.code:
                    if next_code is None:
                        last = (
                            Cadre.objects.filter(code__startswith=CODE_PREFIX, code__regex=r"^MP[0-9]{8}$")
                            .order_by("-code")
                            .values_list("code", flat=True)
                            .first()
                        )
                        next_code = int(last[len(CODE_PREFIX) :]) + 1 if last else 1
                    cadre.code = f"{CODE_PREFIX}{next_code:08d}"
                    next_code += 1
                cadre.save()
                counts.created += 1
            elif plan.changed["cadre"]:
                cadre.version += 1
                cadre.save()
                counts.updated += 1
            else:
                counts.unchanged += 1
            # Experience: replace only when different.
            old = list(Experience.objects.filter(cadre=cadre).values_list(
                "start", "end", "unit_id", "unit_name", "post_title", "kind", "note"))  # fmt: skip
            new = [(e.start, e.end, e.unit_id, e.unit_name, e.post_title, e.kind, e.note) for e in plan.experiences]
            if sorted(old, key=repr) != sorted(new, key=repr):
                deleted, _detail = Experience.objects.filter(cadre=cadre).delete()
                for entry in plan.experiences:
                    entry.cadre = cadre
                Experience.objects.bulk_create(plan.experiences)
                cadre.first_rural_start = refresh_cadre(cadre.pk)  # bulk_create skips Experience.save()
                exp_counts.deleted += deleted
                exp_counts.created += len(plan.experiences)
                if plan.existing_pk is not None and not plan.changed["cadre"]:
                    Cadre.objects.filter(pk=cadre.pk).update(version=cadre.version + 1)
            else:
                exp_counts.unchanged += len(old)
            # Form boxes, photo and family.
            info = CadreFormInfo.objects.filter(cadre=cadre).first()
            photo = plan.person.photo
            wanted = {**plan.info, "photo": photo, "photo_type": L.image_type(photo) if photo else ""}
            family_old = list(FamilyMember.objects.filter(cadre=cadre).order_by("position", "id").values_list(
                "relation", "name", "birth", "political_status", "work"))  # fmt: skip
            family_new = [(m.relation[:20], m.name[:50], m.birth[:20], m.political_status[:20], m.work[:200])
                          for m in plan.family]  # fmt: skip
            info_same = info is not None and all(
                (bytes(getattr(info, k)) if k == "photo" else getattr(info, k)) == v for k, v in wanted.items()
            )
            if (info_same or (info is None and not any(wanted.values()))) and family_old == family_new:
                form_counts.unchanged += 1
                continue
            if info is None:
                info = CadreFormInfo(cadre=cadre)
                form_counts.created += 1
            else:
                form_counts.updated += 1
            for key, value in wanted.items():
                setattr(info, key, value)
            info.save()
            if family_old != family_new:
                FamilyMember.objects.filter(cadre=cadre).delete()
                FamilyMember.objects.bulk_create(
                    FamilyMember(cadre=cadre, position=i, relation=r, name=n, birth=b, political_status=p, work=w)
                    for i, (r, n, b, p, w) in enumerate(family_new)
                )


def lrmx_import(
    *,
    actor: Actor,
    files: list[tuple[str, bytes]],
    default_unit: Unit | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: dt.date | None = None,
    limits: Limits | None = None,
) -> ImportReport:
    """Import 任免审批表 files (``.lrmx`` or zips of them): all checked first, then written together or not at all."""
    started = time.monotonic()
    require_importer(actor.user)
    progress = progress or (lambda stage, done, total: None)
    name = files[0][0] if len(files) == 1 else _("%(n)s 个文件") % {"n": len(files)}
    report = ImportReport(file_name=name, kind="lrmx", dry_run=dry_run)
    digest = hashlib.sha256()
    for _name, data in files:
        digest.update(data)
    report.sha256 = digest.hexdigest()
    if default_unit is not None and not default_unit.path.startswith(actor.user.scope_unit.path):
        raise PermissionDenied(_("单位“%(u)s”不在您的管理范围内。") % {"u": default_unit.name})
    try:
        forms = read_lrmx_files(files, limits or limits_from_settings())
    except UnsafeFile as exc:
        report.error(_("文件"), str(exc))
        return report
    if not forms:
        report.error(_("文件"), _("没有找到 .lrmx 文件。"))
        return report
    importer = LrmxImporter(actor, report, default_unit=default_unit, today=today or dt.date.today())
    for n, (file_name, data) in enumerate(forms):
        progress(_("核对任免审批表"), n, len(forms))
        try:
            person = L.parse_lrmx(data)
        except L.LrmxError as exc:
            report.error(file_name, str(exc))
            continue
        importer.plan(file_name, person)
    progress(_("核对任免审批表"), len(forms), len(forms))
    if report.errors or dry_run:
        return report
    try:
        with transaction.atomic():
            importer.write()
            event = record(
                actor,
                category=AuditCategory.CHANGE,
                action=AuditAction.IMPORT,
                obj="exchange.lrmx",
                object_repr=name[:200],
                detail={**report.audit_detail(), "files": [f for f, _d in forms][:200]},
            )
    except IntegrityError as exc:
        report.counts = {}
        report.error(_("文件"), _("写入时与系统中的数据冲突（%(why)s），本次没有写入任何数据。") % {"why": exc})
        return report
    report.written = True
    report.audit_id = event.pk
    report.seconds = time.monotonic() - started
    return report


# --- the form as a Word document -----------------------------------------------------------------------


def cadre_docx(*, actor: Actor, cadre: Cadre) -> bytes:
    """A filled 干部任免审批表 (.docx) laid out like the official form, photo included."""
    _require_form_reader(actor.user)
    from .docx_form import render_form

    person = cadre_to_person(cadre, extension=False)
    reference = L.parse_month(person.age_reference) or dt.date.today()
    data = render_form(person, age=age_on(cadre.birth_date, reference))
    record_access(actor, AuditAction.EXPORT, cadre, detail={"format": "docx"})
    return data


def lrmx_file_name(cadre: Cadre, suffix: str) -> str:
    return f"{cadre.name}_{cadre.code}.{suffix}"
