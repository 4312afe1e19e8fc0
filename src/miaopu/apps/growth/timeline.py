"""One cadre's growth file as a single dated story: every source, merged and sorted (全程纪实).

Sources, each read through its own app's scoping (the cadre was already checked with ``cadre_get``):

=================  ==========================================================================
kind               from
=================  ==========================================================================
experience         cadres.Experience (履历) — except entries a programme placement wrote itself
placement          programmes.Placement: arrival, extensions, and the end with the term-end grade
stage              programmes.StageRecord (育苗/扶苗/壮苗 …)
mentoring          mentoring: pairings, their end with the mentor's evaluation, guidance records
assessment         assessments.Assessment (平时/年度/期满/一线/单列/专项)
review             assessments.Review (分析研判) — 组织部 only
pool               pools.PoolEntry: entering and leaving a pool — 组织部 only
<EntryKind>        growth.GrowthEntry: achievements, mass evaluations, rewards, research, …
talk, punishment   growth.Talk / growth.Punishment — 组织部 only
training/research  training: classes completed with rank, research topics (立项, report, award)
practical_affair   fieldwork: ledger items taken on and closed (办实事台账), merged with the growth entries
care, counselling  fieldwork: care contacts (关心关爱); counselling (心理疏导) — 组织部 only
=================  ==========================================================================

Optional apps (programmes, mentoring records) are read only when installed and when their models have what
is used, so the file keeps working while those apps evolve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.access import restrict_cadres
from miaopu.apps.core.navigation import safe_reverse

from . import selectors
from .models import EntryKind

#: Filter key → label, in the order the filter bar shows them.
TIMELINE_KINDS: dict[str, str] = {
    "experience": gettext_lazy("履历"),
    "placement": gettext_lazy("培养项目"),
    "stage": gettext_lazy("培养阶段"),
    "mentoring": gettext_lazy("导师帮带"),
    "assessment": gettext_lazy("考核"),
    "review": gettext_lazy("分析研判"),
    "pool": gettext_lazy("人才库"),
    **{value: label for value, label in EntryKind.choices},
    "talk": gettext_lazy("谈心谈话"),
    "punishment": gettext_lazy("惩戒"),
    "counselling": gettext_lazy("心理疏导"),
}


@dataclass
class Item:
    date: dt.date
    kind: str
    title: str
    detail: str = ""
    source: str = ""
    author: str = ""
    url: str = ""
    badge: str = ""
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (name, url)
    #: Tie-break within a day: lower first (an arrival before an assessment of the same day).
    order: int = 50
    pk: int = 0
    #: The edit page of a hand-entered record (growth entries, talks, punishments); "" for the other sources.
    edit_url: str = ""

    @property
    def kind_label(self) -> str:
        return str(TIMELINE_KINDS.get(self.kind, self.kind))

    @property
    def confidential(self) -> bool:
        return self.kind in selectors.CONFIDENTIAL_KINDS

    def sort_key(self) -> tuple:
        return (self.date, self.order, self.kind, self.pk)


def _name(user) -> str:
    return user.display_name if user is not None else ""


def _ym(d: dt.date | None) -> str:
    return f"{d.year:04d}.{d.month:02d}" if d else _("至今")


def _attachments(record) -> list[tuple[str, str]]:
    return [(a.name, reverse("growth:attachment", args=[a.pk])) for a in record.attachments.all()]


# ---------------------------------------------------------------- sources


def _experience(user, cadre: Cadre, skip_ids: set[int]) -> Iterable[Item]:
    from miaopu.apps.cadres.selectors import experience_list

    for e in experience_list(user=user).filter(cadre=cadre).order_by("start", "id"):
        if e.pk in skip_ids:
            continue
        period = f"{_ym(e.start)}—{_ym(e.end)}"
        yield Item(
            e.start,
            "experience",
            f"{e.unit_display} {e.post_title}".strip(),
            detail=f"{period} {e.note}".strip(),
            source=_("履历"),
            badge=e.get_kind_display(),
            order=10,
            pk=e.pk,
        )


def _programmes(user, cadre: Cadre) -> tuple[list[Item], set[int]]:
    """Placements (arrival, extensions, end) and stage records; returns the experience ids they account for."""
    if not apps.is_installed("miaopu.apps.programmes"):
        return [], set()
    from miaopu.apps.programmes.models import Placement, StageRecord

    items: list[Item] = []
    covered: set[int] = set()
    orgdept = selectors.is_orgdept(user)
    placements = restrict_cadres(
        Placement.objects.filter(cadre=cadre).select_related("batch", "batch__template", "host_unit"),
        user,
        through="cadre__",
    )
    for p in placements:
        if p.experience_id:
            covered.add(p.experience_id)
        programme = f"{p.batch.template.name} · {p.batch.name}"
        url = reverse("programmes:batch_detail", args=[p.batch_id]) if orgdept else ""
        where = f"{p.host_unit.name if p.host_unit_id else ''} {p.post_title}".strip()
        planned = _("计划至 %(d)s") % {"d": p.planned_end.isoformat()} if p.planned_end else ""
        items.append(
            Item(
                p.start,
                "placement",
                _("到岗：%(w)s") % {"w": where or programme},
                detail=planned,
                source=programme,
                badge=p.get_kind_display() if p.kind else "",
                url=url,
                order=20,
                pk=p.pk,
            )
        )
        for event in p.events or []:
            if event.get("action") == "extend" and event.get("date_to"):
                when = dt.date.fromisoformat(str(event.get("at", ""))[:10] or p.start.isoformat())
                items.append(
                    Item(
                        when,
                        "placement",
                        _("延期至 %(d)s") % {"d": event["date_to"]},
                        detail=event.get("reason", ""),
                        source=programme,
                        url=url,
                        order=25,
                        pk=p.pk,
                    )
                )
        if p.actual_end:
            title = _("%(s)s：%(w)s") % {"s": p.get_status_display(), "w": where or programme}
            detail = ""
            if p.grade:
                detail = _("期满考核%(g)s") % {"g": p.get_grade_display()}
                if p.assessment_note:
                    detail += f"；{p.assessment_note}"
            items.append(
                Item(
                    p.actual_end,
                    "placement",
                    title,
                    detail=detail,
                    source=programme,
                    url=url,
                    order=80,
                    badge=p.get_grade_display() if p.grade else "",
                    pk=p.pk,
                )
            )
    stages = StageRecord.objects.filter(placement__in=placements).select_related("placement__batch__template")
    for s in stages:
        theme = f"（{s.theme}）" if s.theme else ""
        items.append(
            Item(
                s.since,
                "stage",
                _("进入%(s)s阶段%(t)s") % {"s": s.stage, "t": theme},
                source=s.placement.batch.template.name,
                order=30,
                pk=s.pk,
            )
        )
    return items, covered


def _mentoring(user, cadre: Cadre) -> Iterable[Item]:
    """Adapter over the mentoring app: pairings and, where the model exists, guidance records."""
    from miaopu.apps.mentoring import models as mentoring_models

    try:
        from miaopu.apps.mentoring.selectors import guidance_list, mentorship_list
    except ImportError:  # an older mentoring app: pairings only, scoped like cadres
        mentorship_list = guidance_list = None
    if mentorship_list is not None:
        ships = mentorship_list(user=user).filter(mentee=cadre)
    else:
        ships = restrict_cadres(mentoring_models.Mentorship.objects.filter(mentee=cadre), user, through="mentee__")
    for m in ships.select_related("mentor"):
        who = f"{m.mentor.name}（{m.get_role_display()}）"
        items = [
            Item(
                m.start,
                "mentoring",
                _("结对帮带：%(w)s") % {"w": who},
                detail=m.mentor.unit_name or "",
                source=_("导师帮带"),
                order=40,
                pk=m.pk,
            )
        ]
        if m.end:
            grade = getattr(m, "get_mentee_grade_display", lambda: "")()
            comment = getattr(m, "mentee_comment", "") or ""
            detail = "；".join(x for x in (_("导师评价：%(g)s") % {"g": grade} if grade else "", comment) if x)
            items.append(
                Item(
                    m.end,
                    "mentoring",
                    _("帮带结束：%(w)s") % {"w": who},
                    detail=detail,
                    source=_("导师帮带"),
                    badge=grade,
                    order=85,
                    pk=m.pk,
                )
            )
        yield from items
    if guidance_list is None or not hasattr(mentoring_models, "GuidanceRecord"):
        return
    records = guidance_list(user=user).filter(mentorship__mentee=cadre).select_related("mentorship__mentor")
    for r in records.prefetch_related("attachments") if hasattr(mentoring_models, "GuidanceAttachment") else records:
        mentor = r.mentorship.mentor.name
        confirmed = _("本人已确认") if getattr(r, "confirmed_at", None) else _("待本人确认")
        attachments = []
        if hasattr(r, "attachments"):
            # The mentoring app serves (and scopes) its own downloads; its URLs may not be mounted yet.
            attachments = [
                (a.name, safe_reverse("mentoring:attachment_download", a.pk) or "") for a in r.attachments.all()
            ]
        yield Item(
            r.date,
            "mentoring",
            f"{r.get_kind_display()}（{mentor}）",
            detail=r.content[:500],
            source=_("导师帮带 · %(c)s") % {"c": confirmed},
            author=mentor,
            attachments=attachments,
            order=45,
            pk=r.pk,
        )


def _assessments(user, cadre: Cadre) -> Iterable[Item]:
    from miaopu.apps.assessments.selectors import assessment_list, review_list

    for a in assessment_list(user=user).filter(cadre=cadre).select_related("cycle", "recorded_by"):
        date = a.cycle.end or a.assessed_on
        scores = "，".join(f"{label} {value}" for label, value in a.scores if value is not None)
        detail = "；".join(x for x in (scores, a.comment) if x)
        yield Item(
            date,
            "assessment",
            f"{a.cycle.period_label}{a.get_kind_display()}：{a.get_grade_display()}",
            detail=detail,
            source=a.cycle.name,
            author=_name(a.recorded_by),
            badge=a.get_grade_display(),
            order=60,
            pk=a.pk,
        )
    if selectors.may_see_kind(user, "review"):
        for r in review_list(user=user).filter(cadre=cadre):
            detail = "；".join(x for x in (r.strengths, r.weaknesses, _("建议：%(a)s") % {"a": r.advice}) if x)
            yield Item(
                r.date,
                "review",
                _("分析研判：适岗%(f)s，能力%(a)s") % {"f": r.get_fitness_display(), "a": r.get_ability_display()},
                detail=detail,
                source=_("组织部"),
                author=_name(r.recorded_by),
                badge=r.get_fitness_display(),
                order=65,
                pk=r.pk,
            )


def _pools(user, cadre: Cadre) -> Iterable[Item]:
    if not selectors.may_see_kind(user, "pool"):
        return
    from miaopu.apps.pools.selectors import pool_entry_list

    for e in pool_entry_list(user=user).filter(cadre=cadre):
        klass = "·".join(x for x in (e.get_tier_display(), e.get_category_display()) if x)
        title = _("纳入%(p)s") % {"p": e.get_pool_display()} + (f"（{klass}）" if klass else "")
        yield Item(
            e.date,
            "pool",
            title,
            detail=e.reason,
            source=e.get_source_display(),
            author=_name(e.recorded_by),
            url=reverse("pools:pool_list", args=[e.pool]),
            order=70,
            pk=e.pk,
        )
        if e.exit_date:
            yield Item(
                e.exit_date,
                "pool",
                _("出%(p)s") % {"p": e.get_pool_display()},
                detail=e.exit_reason,
                source=_("人才库"),
                order=75,
                pk=e.pk,
            )


def _own(user, cadre: Cadre) -> Iterable[Item]:
    entries = selectors.entry_list(user=user).filter(cadre=cadre).prefetch_related("attachments")
    for e in entries:
        parts = [e.details]
        if e.kind == EntryKind.MASS_EVALUATION or e.score is not None:
            who = e.respondents + (_("（%(n)s 人）") % {"n": e.respondent_count} if e.respondent_count else "")
            parts.insert(
                0,
                "；".join(
                    x
                    for x in (
                        _("得分 %(s)s") % {"s": e.score} if e.score is not None else "",
                        _("评价对象：%(w)s") % {"w": who} if e.respondents else "",
                    )
                    if x
                ),
            )
        yield Item(
            e.date,
            e.kind,
            e.title,
            detail="\n".join(p for p in parts if p),
            source=e.source,
            author=_name(e.author),
            badge=e.level,
            attachments=_attachments(e),
            edit_url=reverse("growth:entry_edit", args=[e.pk]),
            order=50,
            pk=e.pk,
        )
    for t in selectors.talk_list(user=user).filter(cadre=cadre).prefetch_related("attachments"):
        parts = [_("思想状况：%(s)s") % {"s": t.get_thought_state_display()}, t.content]
        if t.problems:
            parts.append(_("反映的问题：%(p)s") % {"p": t.problems})
        if t.follow_up:
            parts.append(_("跟进措施：%(f)s") % {"f": t.follow_up})
        yield Item(
            t.date,
            "talk",
            _("谈心谈话（谈话人：%(t)s）") % {"t": t.talker},
            detail="\n".join(parts),
            source=t.source,
            author=_name(t.author),
            attachments=_attachments(t),
            edit_url=reverse("growth:talk_edit", args=[t.pk]),
            order=55,
            pk=t.pk,
        )
    for p in selectors.punishment_list(user=user).filter(cadre=cadre).prefetch_related("attachments"):
        period = (_("影响期至 %(d)s") % {"d": p.blocks_until.isoformat()}) if p.blocks_until else _("影响期未定")
        detail = "\n".join(x for x in (p.description, period) if x)
        yield Item(
            p.date,
            "punishment",
            f"{p.get_kind_display()}" + (f"（{p.decided_by}）" if p.decided_by else ""),
            detail=detail,
            source=p.source,
            author=_name(p.author),
            badge=p.get_kind_display(),
            attachments=_attachments(p),
            edit_url=reverse("growth:punishment_edit", args=[p.pk]),
            order=55,
            pk=p.pk,
        )


# ---------------------------------------------------------------- the file


def visible_kinds(user) -> dict[str, str]:
    return {k: v for k, v in TIMELINE_KINDS.items() if selectors.may_see_kind(user, k)}


def build_timeline(
    user,
    cadre: Cadre,
    *,
    kinds: Iterable[str] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    newest_first: bool = False,
) -> list[Item]:
    """The cadre's items the user may see, optionally only some kinds and a period, sorted by date."""
    allowed = set(visible_kinds(user))
    wanted = allowed if not kinds else allowed & set(kinds)
    items: list[Item] = []
    programme_items, covered = _programmes(user, cadre)
    if "experience" in wanted:
        items.extend(_experience(user, cadre, covered))
    items.extend(i for i in programme_items if i.kind in wanted)
    if "mentoring" in wanted:
        items.extend(_mentoring(user, cadre))
    if wanted & {"assessment", "review"}:
        items.extend(i for i in _assessments(user, cadre) if i.kind in wanted)
    if "pool" in wanted:
        items.extend(_pools(user, cadre))
    if wanted & (set(EntryKind.values) | {"talk", "punishment"}):
        items.extend(i for i in _own(user, cadre) if i.kind in wanted)
    if wanted & {"training", "research"} and apps.is_installed("miaopu.apps.training"):
        from miaopu.apps.training.timeline import timeline_items  # classes with rank, research topics

        items.extend(i for i in timeline_items(user, cadre, Item) if i.kind in wanted)
    if wanted & {"practical_affair", "care", "counselling"} and apps.is_installed("miaopu.apps.fieldwork"):
        from miaopu.apps.fieldwork.timeline import timeline_items as fieldwork_items  # ledger, care contacts

        items.extend(i for i in fieldwork_items(user, cadre, Item) if i.kind in wanted)
    if start:
        items = [i for i in items if i.date >= start]
    if end:
        items = [i for i in items if i.date <= end]
    items.sort(key=Item.sort_key, reverse=newest_first)
    return items
