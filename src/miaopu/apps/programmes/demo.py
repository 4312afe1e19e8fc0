"""Running 墩苗 (grounding) batches for the demo city (``core.demo.generate`` calls :func:`populate`).

Zhanjiang's programme (seed 000): young municipal cadres at 副科/正科 level, 35 or under, sent to a town for a
two-year term. The demo city gets two running intakes, so the pages, the dashboard and the alerts have something
real to show:

* **last year's intake**, placed 23 months ago: its terms end within about a month (挂职/任职期满 alerts), and,
  away from their home county for more than a year, its cadres are flagged 长期异地 for care;
* **this year's intake**, placed 13 months ago: also away for more than a year.

About one municipal cadre in 400 per intake (at least 2, at most 40), chosen by the template's own rules, each
at a town of a district (seed 000 sends them to the towns that most need them: remote ones first). Placements
carry no experience entry, like the demo's practice placements, so every demo cadre's history stays one
consecutive chain ending at the current post. Rows carry :data:`DEMO_NOTE`; :func:`wipe` removes exactly them.
"""

from __future__ import annotations

import datetime as dt
import random

from miaopu.domain.dates import add_months

DEMO_NOTE = "演示数据：墩苗（programmes）"
TEMPLATE = "dunmiao"


def wipe() -> None:
    delete_batches(DEMO_NOTE)


def delete_batches(note: str) -> None:
    """Delete the demo's batches marked ``note`` with their slots, candidates, assignments and placements."""
    from .models import Assignment, Batch, Candidate, HostSlot, Placement

    batches = Batch.objects.filter(note=note)
    Placement.objects.filter(batch__in=batches).delete()
    Assignment.objects.filter(candidate__batch__in=batches).delete()
    Candidate.objects.filter(batch__in=batches).delete()
    HostSlot.objects.filter(batch__in=batches).delete()
    batches.delete()


def populate(seed: int, today: dt.date) -> dict[str, int]:
    """Write the two intakes; returns ``{"grounding_placements": n}``."""
    from miaopu.apps.cadres.models import Cadre
    from miaopu.apps.core.models import User
    from miaopu.apps.units.models import Unit

    from .models import Assignment, Batch, Candidate, HostSlot, Placement, ProgrammeTemplate

    template = ProgrammeTemplate.objects.filter(code=TEMPLATE).first()
    root = Unit.objects.filter(parent=None).order_by("path").first()
    if template is None or root is None:
        return {"grounding_placements": 0}
    rng = random.Random(seed * 7_919 + 11)
    version = template.versions.order_by("-number").first()
    spec = version.parsed
    creator = User.objects.filter(username="orgdept").first()
    towns = list(Unit.objects.filter(level="town").select_related("district").order_by("-is_remote", "path"))
    if not towns:
        return {"grounding_placements": 0}
    size = max(2, min(40, Cadre.objects.filter(status="active").count() // 400))
    taken: set[int] = set()
    written = 0
    for months_ago, year in ((23, today.year - 1), (13, today.year)):
        start = add_months(today, -months_ago)
        people = _eligible(spec, start, taken)
        rng.shuffle(people)
        people = people[:size]
        taken |= {c.pk for c in people}
        batch = Batch.objects.create(
            template=template, version=version, name=f"{year} 年墩苗计划", year=year, as_of=start, scope_unit=root,
            status="placed", quotas={"total": None, "regions": {}}, note=DEMO_NOTE, created_by=creator,
        )  # fmt: skip
        end = add_months(start, spec.term.max if spec.term and spec.term.max else 24)
        for i, cadre in enumerate(people):
            town = towns[(i * 7 + rng.randint(0, 3)) % len(towns)]
            slot = HostSlot.objects.create(
                batch=batch, unit=town, post_title="党委委员（墩苗）", capacity=1,
                region=town.district.name if town.district_id else "市直",
            )  # fmt: skip
            candidate = Candidate.objects.create(
                batch=batch, cadre=cadre, eligible=True, group="",
                reasons=[{"ok": True, "text": "市直单位副科、正科级，年龄 ≤ 35 岁"}], facts={}, evaluated_on=start,
                status="placed",
            )  # fmt: skip
            Assignment.objects.create(candidate=candidate, slot=slot)
            Placement.objects.create(
                candidate=candidate, batch=batch, cadre=cadre, host_unit=town, post_title="党委委员（墩苗）",
                kind=spec.experience_kind or "posting", start=start, planned_end=end, status="active",
            )  # fmt: skip
            written += 1
    return {"grounding_placements": written}


def _eligible(spec, on: dt.date, taken: set[int]) -> list:
    """Active municipal cadres the template's rules accept on ``on`` (judged by the engine, as a batch would)."""
    from miaopu.apps.cadres.models import Cadre

    from .loaders import load_profiles
    from .prefilter import necessary_q
    from .selectors import evaluate_loaded

    cadres = Cadre.objects.filter(status="active").exclude(pk__in=taken)
    needed = necessary_q(spec, on)
    if needed is not None:
        cadres = cadres.filter(needed)
    ok = [row.cadre_id for row in evaluate_loaded(spec, load_profiles(cadres), on) if row.eligible]
    return list(Cadre.objects.filter(pk__in=ok).order_by("code"))
