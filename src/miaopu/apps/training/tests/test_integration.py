"""Training on the growth file (timeline, page, DOCX export), in batch candidate ordering and matching, and on
the dashboard (figures equal an independent count)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile

from miaopu.apps.growth.timeline import build_timeline
from miaopu.apps.programmes.models import Batch, Candidate, HostSlot, ProgrammeTemplate
from miaopu.apps.training import services
from miaopu.apps.training.models import Enrolment
from miaopu.apps.training.selectors import dashboard_figures, latest_standings, order_by_class_rank

from .conftest import D, actor, score_and_close

pytestmark = pytest.mark.django_db


def _templates() -> None:
    if not ProgrammeTemplate.objects.filter(code="dunmiao").exists():
        from importlib import import_module

        import_module("miaopu.apps.programmes.migrations.0002_load_shipped_templates").load(django_apps, None)


def _award(data, media) -> None:
    upload = SimpleUploadedFile("报告.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    services.report_upload(actor=actor(data.city), topic=data.topic_mentored, upload=upload, on=D(2025, 9, 20))
    services.topic_review(
        actor=actor(data.city), topic=data.topic_mentored, score=93, award="first", reviewed_on=D(2025, 10, 8)
    )


# ---------------------------------------------------------------- growth file


def test_class_rank_and_topic_award_appear_on_the_growth_file(client_for, data, media):
    score_and_close(data, {"town_b": (95, 95, 95), "village_a": (70, 70, 70), "organ": (80, 80, 80)})
    _award(data, media)
    zhao = data.city.cadres["town_b"]
    items = build_timeline(data.city.users["officer_b"], zhao)
    training = [i for i in items if i.kind == "training"]
    assert [(i.date, i.title) for i in training] == [
        (D(2025, 10, 20), "结业：2025年中青年干部培训班，第 1 名（共 3 人）")
    ]
    assert training[0].badge == "第 1 名" and "综合得分 96.00" in training[0].detail
    research = [(i.date, i.title) for i in items if i.kind == "research"]
    assert research == [
        (D(2025, 3, 1), "承担调研课题：白沙镇乡村振兴调研"),
        (D(2025, 9, 20), "提交调研报告：白沙镇乡村振兴调研"),
        (D(2025, 10, 8), "调研课题获一等奖：白沙镇乡村振兴调研"),
    ]
    # the kind filter works, and a user who cannot see the cadre's training sees none of it
    assert {i.kind for i in build_timeline(data.city.users["orgdept"], zhao, kinds=["research"])} == {"research"}
    page = client_for("mentor").get(f"/growth/cadres/{zhao.pk}/").content.decode()
    assert "调研课题获一等奖" in page and "第 1 名（共 3 人）" in page
    # the DOCX export iterates the same timeline
    from docx import Document

    docx = client_for("orgdept").get(f"/growth/cadres/{zhao.pk}/file.docx")
    text = "\n".join(c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells)
    assert "结业：2025年中青年干部培训班，第 1 名（共 3 人）" in text and "调研课题获一等奖" in text


def test_a_running_class_is_not_on_the_file_yet(data):
    items = build_timeline(data.city.users["orgdept"], data.city.cadres["town_b"], kinds=["training"])
    assert items == []


# ---------------------------------------------------------------- selection and matching


@pytest.fixture
def batch(data):
    """A 墩苗 batch with two otherwise-equal candidates: same unit, same facts, same status; one slot."""
    _templates()
    c = data.city.cadres
    template = ProgrammeTemplate.objects.get(code="dunmiao")
    batch = Batch.objects.create(
        template=template, version=template.current_version, name="墩苗 2026 第一批", year=2026, as_of=D(2026, 1, 5),
        scope_unit=data.city.root, status="assignment",
    )  # fmt: skip
    people = {}
    for key in ("organ", "organ_woman"):  # both in 自然资源局; 林晓明 first by id
        people[key] = Candidate.objects.create(
            batch=batch, cadre=c[key], eligible=True, evaluated_on=D(2026, 1, 5), status="vetted", facts={}
        )
    HostSlot.objects.create(batch=batch, unit=data.city.town_a, post_title="镇长助理", capacity=1, region="东湖区")
    return batch, people


def _second_class_with(data, first: str, second: str):
    """A closed class of two where ``first`` ranks 1st and ``second`` 2nd."""
    org = actor(data.city)
    klass = services.class_create(
        actor=org,
        data={"name": "精准比选专题班", "kind": "class", "scope_unit": data.city.root, "start": D(2025, 12, 1),
              "end": D(2025, 12, 5)},
    )  # fmt: skip
    rows = services.enrol(actor=org, klass=klass, cadres=[data.city.cadres[first], data.city.cadres[second]])
    services.scores_record(
        actor=org,
        klass=klass,
        rows={rows[0].pk: {"coursework": 90, "assessment": 90, "peer": 90}, rows[1].pk: {"coursework": 70}},
    )
    services.class_close(actor=org, klass=klass, on=D(2025, 12, 5))
    return klass


def test_class_rank_orders_otherwise_equal_candidates(client_for, data, batch):
    batch, people = batch
    url = f"/programmes/batches/{batch.pk}/?tab=candidates"
    client = client_for("orgdept")
    default = [c.cadre.name for c in client.get(url).context["page_obj"]]
    assert default == ["林晓明", "陈静"]  # unit order, then id
    # without any ranking the rank order keeps the unit order
    assert [c.cadre.name for c in client.get(url + "&sort=rank").context["page_obj"]] == ["林晓明", "陈静"]
    _second_class_with(data, first="organ_woman", second="organ")
    ranked = client.get(url + "&sort=rank")
    assert [c.cadre.name for c in ranked.context["page_obj"]] == ["陈静", "林晓明"]
    assert "精准比选专题班 第 1 名（共 2 人）" in ranked.content.decode()
    # the latest closed class counts: a later class reversing the order reverses the candidates
    org = actor(data.city)
    later = services.class_create(
        actor=org,
        data={"name": "后续班", "kind": "class", "scope_unit": data.city.root, "start": D(2026, 1, 2),
              "end": D(2026, 1, 3)},
    )  # fmt: skip
    rows = services.enrol(actor=org, klass=later, cadres=[data.city.cadres["organ"], data.city.cadres["organ_woman"]])
    services.scores_record(actor=org, klass=later, rows={rows[0].pk: {"assessment": 99}, rows[1].pk: {"assessment": 1}})
    services.class_close(actor=org, klass=later, on=D(2026, 1, 3))
    assert [c.cadre.name for c in order_by_class_rank(batch.candidates.order_by("id"))] == ["林晓明", "陈静"]
    standing = latest_standings([data.city.cadres["organ_woman"].pk])[data.city.cadres["organ_woman"].pk]
    assert (standing.class_name, standing.rank, standing.size, standing.share) == ("后续班", 2, 2, 0.0)


def test_class_rank_is_a_matching_score_part(data, batch):
    from miaopu.apps.matching.problem import Options, build
    from miaopu.apps.matching.scoring import default_weights
    from miaopu.domain.matching import solve

    batch, people = batch
    user = data.city.users["orgdept"]
    weights = default_weights("posting")
    before = build(user=user, batch=batch, weights=weights, options=Options(assign_all=False))
    scores = {c: v.score for (c, _s), v in before.scores.items()}
    assert scores[f"c{people['organ'].pk}"] == scores[f"c{people['organ_woman'].pk}"]
    _second_class_with(data, first="organ_woman", second="organ")
    built = build(user=user, batch=batch, weights=weights, options=Options(assign_all=False))
    verdicts = {c: v for (c, _s), v in built.scores.items()}
    woman, man = verdicts[f"c{people['organ_woman'].pk}"], verdicts[f"c{people['organ'].pk}"]
    assert woman.parts["ranking"] == weights["ranking"] and man.parts["ranking"] == 0
    assert woman.score - man.score == weights["ranking"]
    assert any("培训班排名：精准比选专题班 第 1 名（共 2 人）" in r for r in woman.reasons)
    result = solve(built.problem)
    assert [a.candidate for a in result.assignments] == [f"c{people['organ_woman'].pk}"]


# ---------------------------------------------------------------- dashboard


def test_dashboard_figures_equal_an_independent_count(client_for, data, media):
    score_and_close(data, {"town_b": (90, 90, 90), "village_a": (80, 80, 80), "organ": (70, 70, 70)})
    _award(data, media)
    services.enrolment_withdraw(actor=actor(data.city, "orgdept_a"), enrolment=data.enrolments["town_a"])
    old = services.class_create(
        actor=actor(data.city),
        data={"name": "往年班", "kind": "class", "scope_unit": data.city.root, "start": D(2024, 3, 1),
              "end": D(2024, 3, 5)},
    )  # fmt: skip
    services.enrol(actor=actor(data.city), klass=old, cadres=[data.city.cadres["district_b"]])
    as_of = dt.date(2025, 12, 31)

    def independent(user):
        visible = {k for k, cadre in data.city.cadres.items() if cadre.pk in _visible_ids(user)}
        trained = {
            e.cadre_id
            for e in Enrolment.objects.exclude(status="withdrawn").select_related("klass")
            if e.klass.start <= as_of and e.klass.end >= dt.date(2025, 1, 1)
            and e.cadre_id in {data.city.cadres[k].pk for k in visible}
        }  # fmt: skip
        return len(trained)

    for role, classes, topics in (("orgdept", 2, 1), ("orgdept_a", 2, 0), ("officer_b", 1, 1)):
        user = data.city.users[role]
        figures = {f.key: f for f in dashboard_figures(user=user, as_of=as_of)}
        assert figures["trainees"].value == independent(user), role
        assert (figures["classes"].value, figures["topics"].value) == (classes, topics), role
    city = {f.key: f.value for f in dashboard_figures(user=data.city.users["orgdept"], as_of=as_of)}
    assert city == {"trainees": 3, "classes": 2, "topics": 1}  # 王海 withdrew; 周婷's class was in 2024
    # the click-through lists count the same people
    link = {f.key: f.link for f in dashboard_figures(user=data.city.users["orgdept"], as_of=as_of)}["trainees"]
    page = client_for("orgdept").get(link)
    assert page.context["cadres"] == 3
    topics = client_for("orgdept").get(
        {f.key: f.link for f in dashboard_figures(user=data.city.users["orgdept"], as_of=as_of)}["topics"]
    )
    assert [t.title for t in topics.context["page_obj"]] == ["白沙镇乡村振兴调研"]
    assert dashboard_figures(user=data.city.users["mentor"], as_of=as_of) is None


def _visible_ids(user) -> set[int]:
    from miaopu.apps.cadres.selectors import cadre_list

    return set(cadre_list(user=user).values_list("pk", flat=True))


def test_dashboard_page_shows_the_training_panel(client_for, data):
    html = client_for("orgdept").get("/analytics/").content.decode()
    assert 'id="training"' in html and "本年度参训干部" in html and "/training/trainees/?start=" in html
