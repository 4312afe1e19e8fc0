"""Scoping of every growth page and endpoint: out of scope → 404, wrong role → 403, confidential text hidden."""

from __future__ import annotations

import pytest

from miaopu.apps.core.testing import VISIBLE
from miaopu.apps.growth.models import GrowthEntry, Punishment, Talk

pytestmark = pytest.mark.django_db

SECRET_TALK = "谈话机密内容"
SECRET_PUNISHMENT = "处分事由"
ROLES = ["orgdept", "orgdept_a", "officer_b", "officer_town_a", "mentor", "cadre"]
FILE_PAGES = [
    "/growth/cadres/{pk}/",
    "/growth/cadres/{pk}/print/",
    "/growth/cadres/{pk}/file.pdf",
    "/growth/cadres/{pk}/file.docx",
    "/api/growth/cadres/{pk}/timeline/",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", FILE_PAGES)
def test_file_pages_follow_cadre_scoping(files, client_for, role, page):
    city = files.city
    client = client_for(role)
    for key, cadre in city.cadres.items():
        status = client.get(page.format(pk=cadre.pk)).status_code
        assert status == (200 if key in VISIBLE[role] else 404), (role, key, page)


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditor"])
def test_admin_roles_get_no_growth_file(files, client_for, role):
    client = client_for(role)
    pk = files.city.cadres["town_b"].pk
    assert client.get(f"/growth/cadres/{pk}/").status_code == 403
    assert client.get("/growth/").status_code == 403
    assert client.get(f"/api/growth/cadres/{pk}/timeline/").status_code == 403


@pytest.mark.parametrize(
    ("role", "key"),
    [
        ("officer_b", "town_b"),
        ("mentor", "town_b"),
        ("cadre", "village_a"),
        ("officer_town_a", "village_a"),
        ("orgdept_a", "village_a"),
    ],
)
def test_talks_and_punishments_never_reach_other_roles(files, client_for, role, key):
    pk = files.city.cadres[key].pk
    client = client_for(role)
    expect_hidden = role != "orgdept_a"
    for page in FILE_PAGES[:2] + FILE_PAGES[4:]:
        text = client.get(page.format(pk=pk)).content.decode()
        assert (SECRET_TALK not in text and SECRET_PUNISHMENT not in text) == expect_hidden, (role, page)
    talk = Talk.objects.get(cadre_id=pk)
    punishment = Punishment.objects.get(cadre_id=pk)
    if expect_hidden:
        assert client.get(f"/growth/talks/{talk.pk}/").status_code == 403
        assert client.get(f"/growth/punishments/{punishment.pk}/").status_code == 403
        assert client.get(f"/growth/cadres/{pk}/talks/new/").status_code == 403
        assert client.get("/api/growth-talks/").status_code == 403
        assert client.get("/api/growth-punishments/").status_code == 403
    else:  # 组织部 of 东湖区 (the cadre's district) sees them
        assert client.get(f"/growth/talks/{talk.pk}/").status_code == 200
        assert [r["id"] for r in client.get("/api/growth-talks/").json()["results"]] == [talk.pk]


def test_district_orgdept_cannot_open_another_districts_talk(files, client_for):
    talk = Talk.objects.get(cadre=files.city.cadres["town_b"])
    client = client_for("orgdept_a")
    assert client.get(f"/growth/talks/{talk.pk}/").status_code == 404
    assert client.post(f"/growth/talks/{talk.pk}/delete/").status_code == 404
    assert Talk.objects.filter(pk=talk.pk).exists()


def test_exports_leave_out_confidential_text_for_the_cadre(files, client_for):
    from io import BytesIO

    import docx
    import pypdf

    pk = files.city.cadres["village_a"].pk
    client = client_for("cadre")
    pdf = client.get(f"/growth/cadres/{pk}/file.pdf").content
    text = "".join(page.extract_text() for page in pypdf.PdfReader(BytesIO(pdf)).pages)
    assert "牵头完成防汛抢险" in text and SECRET_TALK not in text and SECRET_PUNISHMENT not in text
    assert "晋升条件研判" not in text
    document = docx.Document(BytesIO(client.get(f"/growth/cadres/{pk}/file.docx").content))
    words = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "牵头完成防汛抢险" in words and SECRET_TALK not in words


def test_mentor_and_cadre_cannot_write_entries(files, client_for):
    city = files.city
    for role, key in (("mentor", "town_b"), ("cadre", "village_a")):
        client = client_for(role)
        pk = city.cadres[key].pk
        assert client.get(f"/growth/cadres/{pk}/entries/new/").status_code == 403
        entry = GrowthEntry.objects.filter(cadre_id=pk).first()
        assert client.get(f"/growth/entries/{entry.pk}/").status_code == 403
        assert client.post(f"/growth/entries/{entry.pk}/delete/").status_code == 403
        response = client.post(
            "/api/growth-entries/", {"cadre": pk, "kind": "achievement", "date": "2024-01-01", "title": "x"}
        )
        assert response.status_code == 403


def test_unit_officer_adds_an_entry_but_not_a_talk(files, client_for):
    city = files.city
    pk = city.cadres["town_b"].pk
    client = client_for("officer_b")
    response = client.post(
        f"/growth/cadres/{pk}/entries/new/",
        {"kind": "reward", "date": "2024-12-01", "title": "获评优秀公务员", "level": "市级"},
    )
    assert response.status_code == 302
    entry = GrowthEntry.objects.get(cadre_id=pk, title="获评优秀公务员", author=city.users["officer_b"])
    assert client.get(f"/growth/cadres/{pk}/entries/new/?kind=mass_evaluation").status_code == 200
    assert client.get(f"/growth/entries/{entry.pk}/").status_code == 200
    assert f'href="/growth/entries/{entry.pk}/"' in client.get(f"/growth/cadres/{pk}/").content.decode()
    orgdept = client_for("orgdept")
    assert orgdept.get(f"/growth/cadres/{pk}/punishments/new/").status_code == 200
    punishment = Punishment.objects.get(cadre_id=pk)
    assert f'href="/growth/punishments/{punishment.pk}/"' in orgdept.get(f"/growth/cadres/{pk}/").content.decode()
    assert (
        client.post(
            f"/growth/cadres/{pk}/talks/new/",
            {"date": "2024-12-01", "talker": "x", "thought_state": "stable", "content": "y"},
        ).status_code
        == 403
    )
    other = city.cadres["town_a"].pk
    assert client.get(f"/growth/cadres/{other}/entries/new/").status_code == 404


def test_mass_evaluation_needs_score_and_who_was_asked(files, client_for):
    pk = files.city.cadres["town_b"].pk
    response = client_for("orgdept").post(
        "/api/growth-entries/", {"cadre": pk, "kind": "mass_evaluation", "date": "2024-12-01", "title": "测评"}
    )
    assert response.status_code == 400
    body = response.json()
    assert "群众评价须填写得分" in str(body["score"]) and "评价对象" in str(body["respondents"])


def test_readiness_list_is_orgdept_only(files, client_for):
    unit = files.city.root.pk
    for role in ("officer_b", "mentor", "cadre"):
        assert client_for(role).get(f"/growth/readiness/?unit={unit}").status_code == 403
        assert client_for(role).get(f"/api/growth/readiness/?unit={unit}").status_code == 403
    assert client_for("orgdept_a").get(f"/growth/readiness/?unit={files.city.district_b.pk}").status_code == 404
