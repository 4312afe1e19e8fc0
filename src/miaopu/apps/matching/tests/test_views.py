"""The pages and the API through HTTP: what an officer sees, and who sees nothing."""

from __future__ import annotations

import pytest

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.matching import services
from miaopu.apps.matching.models import MatchPlan
from miaopu.apps.programmes import services as programme_services
from miaopu.apps.programmes.models import ProgrammeTemplate

from .conftest import AS_OF, actor_for, vet

pytestmark = pytest.mark.django_db


def test_the_batch_page_links_to_matching_and_solving_shows_the_plan(six_lines, client_for):
    s = six_lines
    client = client_for("orgdept")
    batch_page = client.get(f"/programmes/batches/{s.batch.pk}/").content.decode()
    assert f'href="/matching/batches/{s.batch.pk}/"' in batch_page and "人岗匹配" in batch_page
    page = client.get(f"/matching/batches/{s.batch.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "考察通过 3 人" in html and 'name="w_home_county"' in html and 'value="-10"' in html
    response = client.post(
        f"/matching/batches/{s.batch.pk}/",
        {"w_base": 60, "w_specialty": 30, "w_assessment": 20, "w_ranking": 0, "w_wishes": 0, "w_home_county": -10,
         "assign_all": "on", "quotas": "西山县 至少 1", "note": "第一次"},
    )  # fmt: skip
    plan = MatchPlan.objects.get(batch=s.batch)
    assert response.status_code == 302 and response["Location"] == f"/matching/plans/{plan.pk}/"
    assert plan.weights["ranking"] == 0 and plan.options["quotas"][0]["min"] == 1 and plan.note == "第一次"
    html = client.get(response["Location"]).content.decode()
    expected = ("方规划", "青石镇镇长助理", "专业特长“规划”与岗位需要相符", "乡镇党政正职不得在籍贯所在县任职",
                "最优方案（已证明）", "西山县", "采用此方案")  # fmt: skip
    for text in expected:
        assert text in html, text
    # The form is filled from the last plan next time.
    again = client.get(f"/matching/batches/{s.batch.pk}/").content.decode()
    assert "西山县 至少 1" in again


def test_a_bad_quota_line_is_shown_on_the_form(six_lines, client_for):
    s = six_lines
    response = client_for("orgdept").post(
        f"/matching/batches/{s.batch.pk}/",
        {"w_base": 60, "w_specialty": 30, "w_assessment": 20, "w_ranking": 0, "w_wishes": 0, "w_home_county": -10,
         "quotas": "南岭县 至少 2\n西山县 很多"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200 and "第 2 行“西山县 很多”" in html
    assert not MatchPlan.objects.exists()


def test_an_infeasible_plan_shows_the_diagnosis(six_lines, client_for):
    s = six_lines
    plan = services.plan_solve(actor=actor_for(s.city), batch=s.batch, quotas=[{"regions": ["西山县"], "min": 3}])
    html = client_for("orgdept").get(f"/matching/plans/{plan.pk}/").content.decode()
    assert "无解：没有方案能同时满足全部规则" in html and "西山县 至少 3" in html and "采用此方案" not in html


def test_pin_forbid_compare_and_accept_through_the_pages(six_lines, client_for):
    s = six_lines
    client = client_for("orgdept")
    plan = services.plan_solve(actor=actor_for(s.city), batch=s.batch)
    response = client.post(
        f"/matching/plans/{plan.pk}/pair/",
        {"action": "forbid", "candidate": s.key("方规划"), "slot": s.slot("assistant")},
    )
    newer = MatchPlan.objects.get(parent=plan)
    assert response["Location"] == f"/matching/plans/{newer.pk}/"
    compare = client.get(f"/matching/batches/{s.batch.pk}/compare/", {"a": plan.pk, "b": newer.pk})
    html = compare.content.decode()
    assert compare.status_code == 200 and "去向不同的人数" in html and "方规划" in html
    refused = client.post(
        f"/matching/plans/{plan.pk}/pair/", {"action": "pin", "candidate": s.key("方规划"), "slot": s.slot("head")}
    )
    assert "乡镇党政正职" in client.get(refused["Location"]).content.decode()
    accepted = client.post(f"/matching/plans/{newer.pk}/accept/")
    assert accepted["Location"].endswith("?tab=assignment")
    assert s.batch.candidates.filter(assignment__isnull=False).count() == 3


def test_api_solves_reads_and_accepts(six_lines, client_for):
    s = six_lines
    client = client_for("orgdept")
    created = client.post(
        "/api/matching-plans/",
        {"batch": s.batch.pk, "quotas": [{"regions": ["西山县"], "min": 1}]},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["outcome"] == "optimal" and len(body["rows"]) == 3
    fang = next(r for r in body["rows"] if r["name"] == "方规划")
    assert fang["parts"]["specialty"] == 30 and any("乡镇党政正职" in a["reason"] for a in fang["avoided"])
    listed = client.get("/api/matching-plans/", {"batch": s.batch.pk}).json()
    assert [p["id"] for p in listed["results"]] == [body["id"]]
    problem = client.get(f"/api/matching-plans/{body['id']}/problem/").json()
    assert problem["mode"] == "assign" and len(problem["candidates"]) == 3
    bad = client.post("/api/matching-plans/", {"batch": s.batch.pk, "weights": {"charm": 1}},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 400 and "未知的评分项" in bad.content.decode()
    assert client.post(f"/api/matching-plans/{body['id']}/accept/").status_code == 200


@pytest.mark.parametrize("role", ["officer_b", "mentor", "cadre", "sysadmin", "auditor"])
def test_other_roles_get_403(six_lines, client_for, role):
    s = six_lines
    plan = services.plan_solve(actor=actor_for(s.city), batch=s.batch)
    client = client_for(role)
    assert client.get(f"/matching/batches/{s.batch.pk}/").status_code == 403
    assert client.get(f"/matching/plans/{plan.pk}/").status_code == 403
    assert client.get(f"/api/matching-plans/{plan.pk}/").status_code == 403


def test_a_district_officer_cannot_open_a_city_batch_matching(six_lines, client_for):
    """The stricter rule: the district officer may open the city batch, but not its matching (404)."""
    s = six_lines
    plan = services.plan_solve(actor=actor_for(s.city), batch=s.batch)
    client = client_for("orgdept_a")
    assert client.get(f"/programmes/batches/{s.batch.pk}/").status_code == 200
    assert "/matching/" not in client.get(f"/programmes/batches/{s.batch.pk}/").content.decode()
    for url in (f"/matching/batches/{s.batch.pk}/", f"/matching/plans/{plan.pk}/",
                f"/matching/plans/{plan.pk}/problem.json", f"/api/matching-plans/{plan.pk}/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/matching/plans/{plan.pk}/accept/").status_code == 404
    assert client.get("/api/matching-plans/").json()["results"] == []


def test_a_plan_showing_a_cadre_outside_the_users_scope_is_404(city, client_for):
    """A district batch is the district officer's; once one of its cadres has moved away, the plan is hidden."""
    actor = actor_for(city, "orgdept_a")
    template = ProgrammeTemplate.objects.get(code="six-lines")
    batch = programme_services.batch_create(actor=actor, template=template, name="东湖区六线蓄能", year=2025,
                                            as_of=AS_OF, scope_unit=city.district_a)  # fmt: skip
    from miaopu.apps.core.testing import make_cadre

    here = make_cadre(city.town_a, "甘在岗", AS_OF.replace(year=1996), source="selected_graduate")
    programme_services.batch_add_slot(actor=actor, batch=batch, unit=city.village_a, post_title="助理", tags="乡村振兴")
    programme_services.batch_evaluate_candidates(actor=actor, batch=batch)
    vet(actor, batch.candidates.get(cadre=here))
    plan = services.plan_solve(actor=actor, batch=batch)
    assert client_for("orgdept_a").get(f"/matching/plans/{plan.pk}/").status_code == 200
    assert client_for("orgdept").get(f"/matching/plans/{plan.pk}/").status_code == 200
    Cadre.objects.filter(pk=here.pk).update(unit=city.town_b)
    assert client_for("orgdept_a").get(f"/matching/plans/{plan.pk}/").status_code == 404
    assert client_for("orgdept").get(f"/matching/plans/{plan.pk}/").status_code == 200


def test_a_large_batch_is_solved_as_a_job_that_links_its_plan(six_lines, client_for, settings):
    from miaopu.apps.jobs.models import Job, JobKind, JobStatus

    s = six_lines
    settings.MIAOPU_MATCHING_JOB_MIN = 1  # every batch counts as large
    client = client_for("orgdept")
    response = client.post(
        f"/matching/batches/{s.batch.pk}/",
        {"w_base": 60, "w_specialty": 30, "w_assessment": 20, "w_ranking": 0, "w_wishes": 0, "w_home_county": -10,
         "assign_all": "on", "quotas": "西山县 至少 1", "note": "后台"},
    )  # fmt: skip
    job = Job.objects.get(kind=JobKind.BATCH_MATCHING)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED, job.message  # the test settings run jobs inline
    plan = MatchPlan.objects.get(batch=s.batch)
    assert plan.note == "后台" and plan.options["quotas"][0]["min"] == 1 and job.result["plan"] == plan.pk
    html = client.get(response["Location"]).content.decode()
    assert f'href="/matching/plans/{plan.pk}/"' in html
    # Someone else's job page is not theirs to see.
    assert client_for("orgdept_a").get(response["Location"]).status_code == 404
