"""What training puts on a growth file (read by ``growth.timeline.build_timeline``).

- ``training``: a class completed (结业) with the rank and total; a withdrawal.
- ``research``: a research topic taken on (立项), its report submitted, its review with the award.

Rows come through this app's scoped selectors (the cadre itself was already checked with ``cadre_get``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors
from .models import ClassStatus, EnrolmentStatus


def timeline_items(user, cadre, item_class) -> Iterable:
    """Growth-file items (``item_class`` is ``growth.timeline.Item``) for one cadre."""
    enrolments = selectors.enrolment_list(user=user).filter(cadre=cadre).select_related("klass", "klass__scope_unit")
    for e in enrolments:
        klass = e.klass
        url = reverse("training:class_detail", args=[klass.pk])
        if e.status == EnrolmentStatus.COMPLETED and klass.status == ClassStatus.CLOSED:
            rank = _("第 %(r)s 名（共 %(n)s 人）") % {"r": e.rank, "n": e.class_size} if e.rank is not None else ""
            scores = "，".join(
                f"{label} {value}"
                for label, value in (
                    (_("综合得分"), e.total),
                    (_("课程作业"), e.coursework),
                    (_("结业考核"), e.assessment),
                    (_("学员互评"), e.peer),
                )
                if value is not None
            )
            yield item_class(
                klass.closed_on or klass.end,
                "training",
                _("结业：%(c)s") % {"c": str(klass)} + (f"，{rank}" if rank else ""),
                detail=scores,
                source=klass.scope_unit.name,
                badge=_("第 %(r)s 名") % {"r": e.rank} if e.rank is not None else "",
                url=url,
                order=52,
                pk=e.pk,
            )
        elif e.status == EnrolmentStatus.WITHDRAWN:
            yield item_class(
                klass.end,
                "training",
                _("中途退出：%(c)s") % {"c": str(klass)},
                detail=e.note,
                source=klass.scope_unit.name,
                url=url,
                order=52,
                pk=e.pk,
            )
    topics = selectors.topic_list(user=user).filter(owners=cadre).prefetch_related("owners")
    for t in topics:
        url = reverse("training:topic_detail", args=[t.pk])
        mentor = _("指导导师：%(m)s") % {"m": t.mentor.name} if t.mentor_id else ""
        others = "、".join(o.name for o in t.owners.all() if o.pk != cadre.pk)
        detail = "；".join(x for x in (mentor, _("合作者：%(o)s") % {"o": others} if others else "") if x)
        yield item_class(
            t.start,
            "research",
            _("承担调研课题：%(t)s") % {"t": t.title},
            detail=detail,
            source=t.scope_unit.name,
            url=url,
            order=51,
            pk=t.pk,
        )
        if t.submitted_on:
            yield item_class(
                t.submitted_on,
                "research",
                _("提交调研报告：%(t)s") % {"t": t.title},
                source=t.scope_unit.name,
                url=url,
                order=51,
                pk=t.pk,
            )
        if t.reviewed_on:
            award = t.get_award_display() if t.award else ""
            title = (
                _("调研课题获%(a)s：%(t)s") % {"a": award, "t": t.title}
                if award
                else _("调研课题评审：%(t)s") % {"t": t.title}
            )
            yield item_class(
                t.reviewed_on,
                "research",
                title,
                detail="；".join(
                    x
                    for x in (
                        _("评审得分 %(s)s") % {"s": t.review_score} if t.review_score is not None else "",
                        t.review_note,
                    )
                    if x
                ),
                source=t.scope_unit.name,
                badge=award,
                url=url,
                order=51,
                pk=t.pk,
            )
