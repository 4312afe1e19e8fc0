"""Computed alerts: a required role missing, no record in 60 days, a mentor over capacity; who is due a contact."""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.apps.mentoring.models import GuidanceRecord, Mentor, Mentorship
from miaopu.apps.mentoring.selectors import alerts, due_contacts
from miaopu.apps.programmes import services as programmes
from miaopu.apps.programmes.models import ProgrammeTemplate

from .conftest import AS_OF, D, actor

pytestmark = pytest.mark.django_db

FINDINGS = {k: "好" for k in ("political", "moral", "achievement", "duty", "integrity")}
CLEAR = [{"department": "纪检监察机关", "opinion": "未发现问题", "objection": False}]


def approved_xinmiao_batch(town, *keys):
    staff = actor(town)
    template = ProgrammeTemplate.objects.get(code="xinmiao")
    batch = programmes.batch_create(actor=staff, template=template, name="新苗 2025", year=2025, as_of=AS_OF)
    programmes.batch_evaluate_candidates(actor=staff, batch=batch)
    for key in keys:
        person = batch.candidates.get(cadre=town.cadres[key])
        programmes.candidate_nominate(actor=staff, candidate=person)
        programmes.vetting_record(actor=staff, candidate=person, findings=FINDINGS, opinions=CLEAR, vetted_on=AS_OF)
    programmes.batch_approve(actor=staff, batch=batch)
    return batch


def test_a_selected_cadre_without_a_required_role_is_an_alert(town):
    batch = approved_xinmiao_batch(town, "recruit0", "recruit1")
    mentor = Mentor.objects.create(cadre=town.cadres["secretary"], name="陈书记")
    Mentorship.objects.create(mentee=town.cadres["recruit0"], mentor=mentor, role="political", start=AS_OF)
    found = [a for a in alerts(town.users["orgdept"]) if a.kind == "missing_role"]
    by_cadre = {a.cadre_id: a for a in found}
    assert set(by_cadre) == {town.cadres["recruit0"].pk, town.cadres["recruit1"].pk}
    assert by_cadre[town.cadres["recruit0"].pk].reason == "新人0 在“新苗 2025”中，项目要求配备业务导师，目前没有"
    assert "政治导师、业务导师" in by_cadre[town.cadres["recruit1"].pk].reason
    assert by_cadre[town.cadres["recruit1"].pk].link.endswith(f"?batch={batch.pk}")
    # a district officer of another district sees none of them; a unit officer gets no programme alerts
    from miaopu.apps.core.testing import make_user

    other = make_user("orgdept_b", "orgdept", scope_unit=town.district_b)
    assert not [a for a in alerts(other) if a.kind == "missing_role"]


def test_no_record_in_60_days(city, records):
    today = D(2024, 9, 1)
    found = {a.mentorship_id: a for a in alerts(city.users["orgdept"], today=today) if a.kind == "no_contact"}
    own = records["own"].mentorship
    assert own.pk in found
    assert found[own.pk].reason == "赵强 的业务导师 导师甲 已 92 天没有帮带记录（最近一次：2024-06-01）"
    assert found[own.pk].owner == "导师甲"
    GuidanceRecord.objects.create(mentorship=own, date=D(2024, 8, 15), kind="talk", content="谈心", hours=1)
    found = {a.mentorship_id for a in alerts(city.users["orgdept"], today=today) if a.kind == "no_contact"}
    assert own.pk not in found
    # the mentor sees their own contacts due, nothing else
    mine = due_contacts(user=city.users["mentor2"], today=today)
    assert [d.mentorship.mentee.name for d in mine] == ["李娜"]


def test_mentor_over_capacity(city):
    mentor = Mentor.objects.get(user=city.users["mentor"])  # already business mentor of 赵强
    for key in ("organ", "organ_woman", "district_b"):
        Mentorship.objects.create(mentee=city.cadres[key], mentor=mentor, role="business", start=D(2024, 1, 1))
    found = [a for a in alerts(city.users["orgdept"]) if a.kind == "over_capacity"]
    assert [a.reason for a in found] == ["导师甲 同时担任 4 人的业务导师，超过每人 3 名的上限"]
    assert found[0].link == mentor.get_absolute_url()


def test_alert_page_lists_them(city, records, client):
    client.force_login(city.users["orgdept"])
    page = client.get("/mentoring/alerts/?kind=no_contact").content.decode()
    assert "长期无帮带记录" in page and "导师甲" in page
    assert dt.date.today() > D(2024, 8, 1)


def test_contact_days_follow_the_programmes_rules(city, records):
    from miaopu.apps.mentoring.models import PairingPolicy

    template = ProgrammeTemplate.objects.get(code="xinmiao")
    PairingPolicy.objects.create(template=template, contact_days=30)
    own = records["own"].mentorship  # last record 2024-06-01
    other = records["other"].mentorship  # last record 2024-06-02
    Mentorship.objects.filter(pk=own.pk).update(template=template)
    today = D(2024, 7, 12)  # 41 and 40 days later: due under 30 days, not under the default 60
    due = {d.mentorship.pk: d for d in due_contacts(user=city.users["orgdept"], today=today)}
    assert set(due) == {own.pk}
    Mentorship.objects.create(mentee=city.cadres["organ"], mentor=other.mentor, role="business", start=D(2024, 3, 1))
    reasons = [a.reason for a in alerts(city.users["orgdept"], today=D(2024, 5, 5)) if a.kind == "no_contact"]
    assert "林晓明 的业务导师 导师乙 自结对（2024-03-01）以来 65 天没有帮带记录" in reasons
