"""Every field-work page and endpoint against every role: out of scope is 404, no permission is 403."""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.apps.core.testing import make_unit
from miaopu.apps.fieldwork import services
from miaopu.apps.fieldwork.models import CriterionScore, PracticeBase
from miaopu.apps.fieldwork.testing import make_base

from .conftest import actor

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
ADMINS = ("sysadmin", "secadmin", "auditor")


@pytest.fixture
def data(city):
    """A base in each district, a ledger item and a care contact in each district."""
    a_base = PracticeBase.objects.get(unit=city.village_a)
    b_village = make_unit("白沙镇上洋村", "village", city.town_b)
    b_base = make_base(b_village, capacity=6)
    score = CriterionScore.objects.filter(certification__base=a_base).first()
    a_item = services.ledger_create(
        actor=actor(city),
        cadres=[city.cadres["village_a"]],
        data={"village": city.village_a, "category": "other", "description": "甲", "raised_on": TODAY},
    )
    b_item = services.ledger_create(
        actor=actor(city),
        cadres=[city.cadres["town_b"]],
        data={"village": b_village, "category": "other", "description": "乙", "raised_on": TODAY},
    )
    a_care = services.care_create(
        actor=actor(city),
        cadre=city.cadres["village_a"],
        data={"date": TODAY, "kind": "visit", "contact_by": "x", "summary": "甲"},
    )
    b_care = services.care_create(
        actor=actor(city),
        cadre=city.cadres["town_b"],
        data={"date": TODAY, "kind": "visit", "contact_by": "x", "summary": "乙"},
    )
    return {
        "a_base": a_base,
        "b_base": b_base,
        "score": score,
        "a_item": a_item,
        "b_item": b_item,
        "a_care": a_care,
        "b_care": b_care,
    }


def test_admin_roles_see_nothing(client_for, data):
    for role in ADMINS:
        c = client_for(role)
        for url in [
            "/fieldwork/",
            "/fieldwork/bases/",
            "/fieldwork/ledger/",
            "/fieldwork/care/",
            f"/fieldwork/bases/{data['a_base'].pk}/",
            f"/fieldwork/ledger/{data['a_item'].pk}/",
            "/api/fieldwork-bases/",
            "/api/fieldwork-ledger/",
            "/api/fieldwork-care/",
        ]:
            assert c.get(url).status_code == 403, (role, url)


def test_bases_pages_are_for_unit_scoped_roles_in_their_scope(city, client_for, data):
    a, b = data["a_base"].pk, data["b_base"].pk
    pages = ["/fieldwork/bases/{}/", "/fieldwork/bases/{}/edit/", "/fieldwork/bases/{}/certify/"]
    for role, mine, other in [("orgdept_a", a, b), ("officer_b", b, a), ("officer_town_a", a, b)]:
        c = client_for(role)
        assert c.get("/fieldwork/bases/").status_code == 200
        for page in pages:
            assert c.get(page.format(mine)).status_code == 200, (role, page)
            assert c.get(page.format(other)).status_code == 404, (role, page)
        assert c.get(f"/api/fieldwork-bases/{other}/").status_code == 404
        assert {r["id"] for r in c.get("/api/fieldwork-bases/").json()["results"]} == {mine}
    for role in ("mentor", "cadre"):
        assert client_for(role).get("/fieldwork/bases/").status_code == 403
        assert client_for(role).get(f"/fieldwork/bases/{a}/").status_code == 403
        assert client_for(role).get("/api/fieldwork-bases/").status_code == 403
    body = client_for("orgdept").get("/fieldwork/bases/").content.decode()
    assert "红旗村" in body and "白沙镇上洋村" in body


def test_evidence_download_is_scoped(city, client_for, data):
    from django.core.files.base import ContentFile

    score = data["score"]
    score.attachment.save("e.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    score.attachment_name, score.attachment_type = "评定.pdf", "application/pdf"
    score.save()
    assert client_for("orgdept_a").get(f"/fieldwork/evidence/{score.pk}/").status_code == 200
    assert client_for("officer_b").get(f"/fieldwork/evidence/{score.pk}/").status_code == 404
    assert client_for("mentor").get(f"/fieldwork/evidence/{score.pk}/").status_code == 403


def test_ledger_pages_follow_the_cadres(city, client_for, data):
    a, b = data["a_item"].pk, data["b_item"].pk
    for role, mine, other in [("orgdept_a", a, b), ("officer_b", b, a), ("mentor", b, a), ("cadre", a, b)]:
        c = client_for(role)
        listing = c.get("/fieldwork/ledger/")
        assert listing.status_code == 200
        assert f"/fieldwork/ledger/{mine}/" in listing.content.decode()
        assert f"/fieldwork/ledger/{other}/" not in listing.content.decode()
        assert c.get(f"/fieldwork/ledger/{mine}/").status_code == 200
        assert c.get(f"/fieldwork/ledger/{other}/").status_code == 404
        assert c.get(f"/api/fieldwork-ledger/{other}/").status_code == 404
        assert [r["id"] for r in c.get("/api/fieldwork-ledger/").json()["results"]] == [mine]
    for role in ("mentor", "cadre"):
        assert client_for(role).get("/fieldwork/ledger/new/").status_code == 403
        assert (
            client_for(role)
            .post(f"/fieldwork/ledger/{data['b_item'].pk if role == 'mentor' else a}/", {"status": "in_progress"})
            .status_code
            == 404
        )
        assert client_for(role).post("/api/fieldwork-ledger/", {}).status_code == 403


def test_ledger_created_and_progressed_through_the_pages_and_api(city, client_for, data):
    c = client_for("orgdept")
    response = c.post(
        "/fieldwork/ledger/new/",
        {
            "village": city.village_a.pk,
            "category": "industry",
            "description": "茶叶滞销",
            "raised_on": TODAY,
            "cadres": city.cadres["village_a"].code,
        },
    )
    assert response.status_code == 302
    from miaopu.apps.fieldwork.models import LedgerItem

    new = LedgerItem.objects.get(description="茶叶滞销")
    response = c.post(f"/fieldwork/ledger/{new.pk}/", {"status": "impossible", "closed_on": TODAY})
    assert response.status_code == 200 and "标记为“无法办理”须写明原因" in response.content.decode()
    api = c.patch(
        f"/api/fieldwork-ledger/{new.pk}/",
        {"status": "done", "closed_on": TODAY.isoformat(), "outcome": "联系电商售出", "satisfaction": "satisfied"},
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["status_display"] == "已办结"
    # A district officer cannot name a cadre of the other district.
    bad = client_for("orgdept_a").post(
        "/api/fieldwork-ledger/",
        {
            "village": city.village_a.pk,
            "category": "other",
            "description": "x",
            "raised_on": TODAY.isoformat(),
            "cadres": [city.cadres["town_b"].pk],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "cadres" in bad.json()


def test_care_pages_are_scoped(city, client_for, data):
    a, b = city.cadres["village_a"].pk, city.cadres["town_b"].pk
    for role, mine, other in [("orgdept_a", a, b), ("officer_b", b, a)]:
        c = client_for(role)
        assert c.get("/fieldwork/care/").status_code == 200
        assert c.get(f"/fieldwork/care/cadres/{mine}/").status_code == 200
        assert c.get(f"/fieldwork/care/cadres/{other}/").status_code == 404
        assert c.get(f"/api/fieldwork-care/{data['b_care' if other == b else 'a_care'].pk}/").status_code == 404
    for role in ("mentor", "cadre"):
        assert client_for(role).get("/fieldwork/care/").status_code == 403
    # the cadre sees their own care page (read only), the mentor their mentee's
    assert client_for("cadre").get(f"/fieldwork/care/cadres/{a}/").status_code == 200
    assert client_for("cadre").get(f"/fieldwork/care/cadres/{b}/").status_code == 404
    assert client_for("mentor").get(f"/fieldwork/care/cadres/{b}/").status_code == 200
    assert client_for("cadre").post(f"/fieldwork/care/cadres/{a}/", {}).status_code == 404
    body = client_for("officer_b").get("/fieldwork/care/").content.decode()
    assert "赵强" in body  # remote town 白沙镇


def test_care_contact_through_the_page(city, client_for, data):
    pk = city.cadres["town_b"].pk
    c = client_for("officer_b")
    response = c.post(
        f"/fieldwork/care/cadres/{pk}/", {"date": TODAY, "kind": "help", "contact_by": "镇党委", "summary": "宿舍漏水"}
    )
    assert response.status_code == 200 and "帮扶解难须写明帮扶措施。" in response.content.decode()
    response = c.post(f"/fieldwork/care/cadres/{pk}/", {"date": TODAY, "kind": "counselling", "contact_by": "x"})
    assert response.status_code == 200  # counselling is not even a choice for a unit officer
    assert "counselling" not in response.content.decode().split('name="kind"')[1].split("</select>")[0]


def test_certify_page_records_a_failing_assessment(city, client_for, data):
    base = data["b_base"]
    form = {"assessed_on": TODAY, "valid_from": TODAY, "valid_until": TODAY + dt.timedelta(days=900)}
    from miaopu.domain.fieldwork import CRITERIA

    for code in CRITERIA:
        form[f"{code}_score"] = 75
        form[f"{code}_evidence"] = "实地查看"
    form["safety_score"] = 50
    response = client_for("officer_b").post(f"/fieldwork/bases/{base.pk}/certify/", form)
    assert response.status_code == 302
    assert not base.certifications.order_by("-id").first().certified


def test_base_registration_is_limited_to_villages_in_scope(city, client_for, data):
    from miaopu.apps.core.testing import make_unit

    free_a = make_unit("青石镇岭头村", "village", city.town_a)
    for role in ("mentor", "cadre"):
        assert client_for(role).get("/fieldwork/bases/new/").status_code == 403
    officer = client_for("officer_b")
    page = officer.get("/fieldwork/bases/new/").content.decode()
    assert "青石镇岭头村" not in page
    response = officer.post("/fieldwork/bases/new/", {"village": free_a.pk, "capacity": 5, "host_families": 2})
    assert response.status_code == 200 and not PracticeBase.objects.filter(unit=free_a).exists()
    response = client_for("orgdept_a").post(
        "/fieldwork/bases/new/", {"village": free_a.pk, "capacity": 5, "host_families": 2, "is_active": "on"}
    )
    base = PracticeBase.objects.get(unit=free_a)
    assert response.status_code == 302 and response["Location"] == f"/fieldwork/bases/{base.pk}/certify/"


def test_ledger_takers_are_typed_by_code_or_name_lead_first_and_can_be_added_later(city, client_for, data):
    """No list of every cadre on the page (a province has 200,000): codes or names, checked in scope, all or none."""
    from miaopu.apps.fieldwork.models import LedgerItem, LedgerTaker

    c = client_for("orgdept_a")
    form_page = c.get("/fieldwork/ledger/new/").content.decode()
    assert city.cadres["town_b"].name not in form_page  # no cadre list rendered into the form
    post = {"village": city.village_a.pk, "category": "industry", "raised_on": TODAY}
    refused = c.post("/fieldwork/ledger/new/", {**post, "description": "越界", "cadres": "王海，赵强，查无此人"})
    text = refused.content.decode()
    assert refused.status_code == 200 and "找不到“赵强”" in text and "找不到“查无此人”" in text  # 赵强: 西山县
    assert not LedgerItem.objects.filter(description="越界").exists()
    done = c.post(
        "/fieldwork/ledger/new/",
        {**post, "description": "两人领办", "cadres": f"王海\n{city.cadres['village_a'].code}"},
    )
    assert done.status_code == 302
    item = LedgerItem.objects.get(description="两人领办")
    assert [(t.cadre.name, t.is_lead) for t in item.takers.order_by("id")] == [
        ("王海", True),
        (city.cadres["village_a"].name, False),
    ]
    # Adding a taker later: scoped, dated, audited; a duplicate or an outsider refuses the whole request.
    url = f"/fieldwork/ledger/{item.pk}/takers/"
    assert "增加领办干部" in c.get(f"/fieldwork/ledger/{item.pk}/").content.decode()
    page = c.post(url, {"cadres": "赵强", "taken_on": TODAY}, follow=True).content.decode()
    assert "找不到“赵强”" in page
    from miaopu.apps.core.testing import make_cadre

    newcomer = make_cadre(city.town_a, "周新", dt.date(1996, 5, 1))
    page = c.post(url, {"cadres": f"王海 {newcomer.code}", "taken_on": TODAY}, follow=True).content.decode()
    assert "王海 已领办此事项" in page
    assert item.takers.count() == 2  # all or none: 周新 was not added either
    assert c.post(url, {"cadres": newcomer.code, "taken_on": TODAY}).status_code == 302
    added = LedgerTaker.objects.get(item=item, cadre=newcomer)
    assert not added.is_lead and added.taken_on == dt.date.fromisoformat(str(TODAY))
    from miaopu.apps.core.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="fieldwork.ledgertaker", action="create").count() == 1
    assert client_for("mentor").post(url, {"cadres": newcomer.code, "taken_on": TODAY}).status_code == 403
