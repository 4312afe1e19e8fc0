"""The cadre and experience endpoints, token sign-in and /api/me/, against every role of the hand-built city."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import PASSWORD, VISIBLE
from miaopu.domain.idcard import make_id_number

pytestmark = pytest.mark.django_db

ROLES = list(VISIBLE)
WRITERS = {"orgdept", "orgdept_a", "officer_b", "officer_town_a"}
#: 三权分立: the admin roles are refused personnel endpoints outright (403), like the web pages refuse them.
READERS = WRITERS | {"mentor", "cadre"}
CADRES = ["organ", "organ_woman", "town_a", "village_a", "town_b", "district_b"]
#: The unit inside each writer's scope where it creates a cadre.
HOME_UNIT = {"orgdept": "town_b", "orgdept_a": "town_a", "officer_b": "district_b", "officer_town_a": "village_a"}


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def _pks(city, keys) -> set[int]:
    return {city.cadres[k].pk for k in keys}


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# --- reads -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_cadre_list_is_exactly_the_visible_rows(city, client_for, role):
    response = client_for(role).get("/api/cadres/")
    if role in READERS:
        assert _ids(response) == _pks(city, VISIBLE[role])
    else:
        assert response.status_code == 403 and not VISIBLE[role]


@pytest.mark.parametrize("role", ROLES)
def test_cadre_retrieve_200_when_visible_404_otherwise_and_logged(city, client_for, role):
    client = client_for(role)
    for key in CADRES:
        cadre = city.cadres[key]
        views_before = AuditEvent.objects.filter(category="access", action="view", object_id=str(cadre.pk)).count()
        response = client.get(f"/api/cadres/{cadre.pk}/")
        views_after = AuditEvent.objects.filter(category="access", action="view", object_id=str(cadre.pk)).count()
        if key in VISIBLE[role]:
            assert response.status_code == 200, (role, key)
            assert response.json()["name"] == cadre.name
            event = AuditEvent.objects.filter(action="view", object_id=str(cadre.pk)).latest("id")
            assert views_after == views_before + 1
            assert (event.actor_name, event.source, event.object_type) == (role, "api", "cadres.cadre")
        else:
            assert response.status_code == (404 if role in READERS else 403), (role, key)
            assert views_after == views_before  # nothing to log: the object does not exist for this user


def test_missing_cadre_is_404_like_an_invisible_one(city, client_for):
    assert client_for("orgdept").get("/api/cadres/999999/").status_code == 404


def test_cadre_body_has_labels_and_masks_the_id_number(city, client_for):
    cadre = city.cadres["organ_woman"]
    data = client_for("orgdept").get(f"/api/cadres/{cadre.pk}/").json()
    assert data["gender"] == "female" and data["gender_display"] == "女"
    assert data["political_status"] == "masses" and data["political_status_display"] == "群众"
    assert data["fulltime_education_display"] == "大学本科"
    assert data["unit"] == city.organ.pk and data["unit_name"] == "示范市自然资源局"
    assert data["version"] == cadre.version
    assert data["age"] == _age(cadre.birth_date, dt.date.today())
    assert "id_number" not in data
    assert data["id_number_masked"] == cadre.id_number[:6] + "********" + cadre.id_number[-4:]
    assert cadre.id_number not in str(data)


def test_cadre_list_pages_and_has_no_per_row_queries(city, client_for, django_assert_max_num_queries):
    unit = city.town_b
    Cadre.objects.bulk_create(
        Cadre(code=f"B{n:05d}", name=f"批量{n}", gender="male", birth_date=dt.date(1990, 1, 1), political_status="cpc",
              unit=unit, post_id=city.posts["organ_chief"].pk)
        for n in range(520)
    )  # fmt: skip
    client = client_for("orgdept")
    with django_assert_max_num_queries(6):  # session, user, count, one page: not one query per row
        page = client.get("/api/cadres/?page_size=1000").json()
    assert page["count"] == 526 and len(page["results"]) == 500  # page_size is capped at 500
    assert {row["unit_name"] for row in page["results"]} >= {"西山县白沙镇"}
    default = client.get("/api/cadres/").json()
    assert len(default["results"]) == 50 and "page=2" in default["next"]
    small = client.get("/api/cadres/?page_size=2&page=3").json()
    assert len(small["results"]) == 2


def test_filters_give_the_right_rows(city, client_for):
    client = client_for("orgdept")
    c = city.cadres
    today = dt.date.today()
    cutoff = _age(c["district_b"].birth_date, today)
    young = {k for k in CADRES if _age(c[k].birth_date, today) <= cutoff}
    assert "district_b" in young and "town_b" not in young  # the cut actually splits the city
    assert _ids(client.get(f"/api/cadres/?age_max={cutoff}")) == _pks(city, young)
    assert _ids(client.get("/api/cadres/?gender=female")) == _pks(city, {"organ_woman", "village_a", "district_b"})
    assert _ids(client.get(f"/api/cadres/?unit={city.district_a.pk}")) == _pks(city, {"town_a", "village_a"})
    # Rural experience comes from the history: 王海 works in a town, 林晓明 was a village official.
    assert _ids(client.get("/api/cadres/?rural=yes")) == _pks(city, {"town_a", "organ"})
    assert _ids(client.get("/api/cadres/?rural=no")) == _pks(city, {"organ_woman", "village_a", "town_b", "district_b"})
    assert _ids(client.get(f"/api/cadres/?gender=female&unit={city.district_a.pk}")) == _pks(city, {"village_a"})


def test_unit_filter_only_offers_units_in_scope(city, client_for):
    response = client_for("orgdept_a").get(f"/api/cadres/?unit={city.district_b.pk}")
    assert response.status_code == 400 and "unit" in response.json()


# --- writes ------------------------------------------------------------------------------------------------------


def _patch(client, cadre: Cadre, data: dict):
    return client.patch(f"/api/cadres/{cadre.pk}/", data, content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_cadre_update_by_every_role(city, client_for, role):
    client = client_for(role)
    for key in CADRES:
        cadre = Cadre.objects.get(pk=city.cadres[key].pk)
        response = _patch(client, cadre, {"post_title": f"{role}改", "version": cadre.version})
        if role not in WRITERS:
            expected = 403
        else:
            expected = 200 if key in VISIBLE[role] else 404
        assert response.status_code == expected, (role, key, response.content)
        after = Cadre.objects.get(pk=cadre.pk)
        if expected == 200:
            assert after.post_title == f"{role}改" and after.version == cadre.version + 1
            assert response.json()["version"] == after.version
            event = AuditEvent.objects.filter(object_type="cadres.cadre", object_id=str(cadre.pk)).latest("id")
            assert (event.action, event.source, event.actor_name) == ("update", "api", role)
            assert event.after["post_title"] == f"{role}改"
        else:
            assert after.post_title == cadre.post_title and after.version == cadre.version


@pytest.mark.parametrize("role", ROLES)
def test_cadre_create_by_every_role(city, client_for, role):
    unit = getattr(city, HOME_UNIT.get(role, "town_a"))
    birth = dt.date(1996, 3, 8)
    body = {
        "name": "新干部", "gender": "female", "birth_date": birth.isoformat(), "political_status": "cpc",
        "unit": unit.pk, "id_number": make_id_number("440802", birth, 124),
    }  # fmt: skip
    response = client_for(role).post("/api/cadres/", body, content_type="application/json")
    if role in WRITERS:
        assert response.status_code == 201, response.content
        data = response.json()
        cadre = Cadre.objects.get(pk=data["id"])
        assert cadre.unit == unit and cadre.code.startswith("MP") and data["version"] == 1
        assert "id_number" not in data and data["id_number_masked"].endswith(body["id_number"][-4:])
        event = AuditEvent.objects.get(object_type="cadres.cadre", object_id=str(cadre.pk), action="create")
        assert event.source == "api" and body["id_number"] not in str(event.after)
    else:
        assert response.status_code == 403
        assert not Cadre.objects.filter(name="新干部").exists()


@pytest.mark.parametrize("role", ROLES)
def test_cadre_delete_by_every_role(city, client_for, role):
    client = client_for(role)
    for key in CADRES:
        cadre = city.cadres[key]
        response = client.delete(f"/api/cadres/{cadre.pk}/")
        if role not in WRITERS:
            assert response.status_code == 403
        elif key in VISIBLE[role]:
            assert response.status_code == 204
            assert AuditEvent.objects.filter(object_id=str(cadre.pk), action="delete", source="api").exists()
        else:
            assert response.status_code == 404
    remaining = set(Cadre.objects.values_list("pk", flat=True))
    deleted = _pks(city, VISIBLE[role]) if role in WRITERS else set()
    assert remaining == _pks(city, CADRES) - deleted


def test_create_outside_scope_is_refused(city, client_for):
    body = {"name": "越界", "gender": "male", "birth_date": "1995-01-01", "political_status": "cpc",
            "unit": city.town_b.pk}  # fmt: skip
    response = client_for("orgdept_a").post("/api/cadres/", body, content_type="application/json")
    assert response.status_code == 400 and "unit" in response.json()
    moved = _patch(client_for("orgdept_a"), city.cadres["town_a"], {"unit": city.town_b.pk, "version": 1})
    assert moved.status_code == 400 and Cadre.objects.get(pk=city.cadres["town_a"].pk).unit == city.town_a


def test_stale_version_is_409_and_changes_nothing(city, client_for):
    client = client_for("orgdept")
    cadre = city.cadres["town_b"]
    first = _patch(client, cadre, {"post_title": "甲", "version": cadre.version})
    assert first.status_code == 200
    events = AuditEvent.objects.filter(category="change").count()
    stale = _patch(client, cadre, {"post_title": "乙", "specialties": "信访", "version": cadre.version})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert "已被他人修改" in stale.json()["detail"]
    after = Cadre.objects.get(pk=cadre.pk)
    assert (after.post_title, after.specialties, after.version) == ("甲", "", cadre.version + 1)
    assert AuditEvent.objects.filter(category="change").count() == events


def test_update_requires_the_version(city, client_for):
    cadre = city.cadres["town_b"]
    client = client_for("orgdept")
    missing = _patch(client, cadre, {"post_title": "甲"})
    assert missing.status_code == 400 and "version" in missing.json()
    body = client.get(f"/api/cadres/{cadre.pk}/").json()
    required = {k: body[k] for k in ("name", "gender", "birth_date", "political_status", "unit")}
    url = f"/api/cadres/{cadre.pk}/"
    assert client.put(url, required, content_type="application/json").status_code == 400
    put = client.put(
        url, {**required, "version": body["version"], "post_title": "整体更新"}, content_type="application/json"
    )
    assert put.status_code == 200 and Cadre.objects.get(pk=cadre.pk).post_title == "整体更新"
    assert Cadre.objects.get(pk=cadre.pk).id_number == cadre.id_number  # a PUT without id_number keeps it


def test_validation_errors_name_the_field_in_chinese(city, client_for):
    cadre = city.cadres["town_a"]
    good = make_id_number("440802", cadre.birth_date, 321)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    response = _patch(client_for("orgdept"), cadre, {"id_number": bad_check, "version": cadre.version})
    assert response.status_code == 400
    message = response.json()["id_number"][0]
    assert message.startswith("身份证号") and "校验位" in message
    shape = _patch(client_for("orgdept"), cadre, {"gender": "x", "birth_date": "1995-02-30", "version": 1})
    assert shape.status_code == 400
    assert shape.json()["gender"][0].startswith("性别") and shape.json()["birth_date"][0].startswith("出生日期")
    assert Cadre.objects.get(pk=cadre.pk).id_number == cadre.id_number


def test_id_number_is_write_only(city, client_for):
    cadre = city.cadres["town_a"]
    new_id = make_id_number("440802", cadre.birth_date, 555)
    response = _patch(client_for("orgdept"), cadre, {"id_number": new_id, "version": cadre.version})
    assert response.status_code == 200, response.content
    assert new_id not in response.content.decode() and response.json()["id_number_masked"].endswith(new_id[-4:])
    assert Cadre.objects.get(pk=cadre.pk).id_number == new_id


# --- experience --------------------------------------------------------------------------------------------------


def _experiences_of(keys, city) -> set[int]:
    return set(Experience.objects.filter(cadre__in=[city.cadres[k] for k in keys]).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_experience_list_and_retrieve_match_scope(city, client_for, role):
    client = client_for(role)
    if role not in READERS:
        assert client.get("/api/experiences/").status_code == 403
        assert {client.get(f"/api/experiences/{e.pk}/").status_code for e in Experience.objects.all()} == {403}
        return
    visible = _experiences_of(VISIBLE[role], city)
    assert _ids(client.get("/api/experiences/")) == visible
    for entry in Experience.objects.all():
        response = client.get(f"/api/experiences/{entry.pk}/")
        assert response.status_code == (200 if entry.pk in visible else 404), (role, entry)
    organ = city.cadres["organ"]
    expected = _experiences_of({"organ"}, city) if "organ" in VISIBLE[role] else set()
    assert _ids(client.get(f"/api/experiences/?cadre={organ.pk}")) == expected


def test_experience_body(city, client_for):
    organ = city.cadres["organ"]
    rows = client_for("orgdept").get(f"/api/experiences/?cadre={organ.pk}").json()["results"]
    assert [(r["start"], r["unit_display"], r["kind"], r["kind_display"]) for r in rows] == [
        ("2014-08-01", "青石镇红旗村", "secondment", "挂职"),
        ("2016-08-01", "示范市自然资源局", "posting", "任职"),
    ]
    assert rows[0]["cadre"] == organ.pk and rows[0]["cadre_name"] == "林晓明" and rows[1]["end"] is None


@pytest.mark.parametrize("role", ROLES)
def test_experience_writes_by_every_role(city, client_for, role):
    client = client_for(role)
    cadre = city.cadres["village_a"]
    created = client.post(
        "/api/experiences/",
        {"cadre": cadre.pk, "start": "2020-08-01", "unit": city.village_a.pk, "post_title": "科员"},
        content_type="application/json",
    )
    entry = Experience.objects.get(cadre=city.cadres["town_a"])
    updated = client.patch(f"/api/experiences/{entry.pk}/", {"note": "改"}, content_type="application/json")
    if role not in WRITERS:
        assert (created.status_code, updated.status_code) == (403, 403)
    elif "village_a" in VISIBLE[role]:
        assert created.status_code == 201 and updated.status_code == 200, (created.content, updated.content)
        assert Cadre.objects.get(pk=cadre.pk).version == cadre.version + 1  # the cadre's record changed too
        assert AuditEvent.objects.filter(object_type="cadres.experience", action="create", source="api").exists()
        assert Experience.objects.get(pk=entry.pk).note == "改"
    else:  # officer_b: the cadre is not among its choices, the entry does not exist for it
        assert (created.status_code, updated.status_code) == (400, 404)
        assert "cadre" in created.json()
    if not (role in WRITERS and "village_a" in VISIBLE[role]):
        assert not Experience.objects.filter(cadre=cadre).exists() and Experience.objects.get(pk=entry.pk).note == ""


def test_experience_rules(city, client_for):
    client = client_for("orgdept")
    entry = Experience.objects.get(cadre=city.cadres["town_a"])
    moved = client.patch(
        f"/api/experiences/{entry.pk}/", {"cadre": city.cadres["town_b"].pk}, content_type="application/json"
    )
    assert moved.status_code == 400 and Experience.objects.get(pk=entry.pk).cadre == city.cadres["town_a"]
    backwards = client.patch(f"/api/experiences/{entry.pk}/", {"end": "2010-01-01"}, content_type="application/json")
    assert backwards.status_code == 400 and backwards.json()["end"][0].startswith("终止时间")
    no_unit = client.post(
        "/api/experiences/", {"cadre": city.cadres["town_b"].pk, "start": "2015-01-01"}, content_type="application/json"
    )
    assert no_unit.status_code == 400 and "unit" in no_unit.json()
    outside = client.post(  # a history may name a unit outside the scope, or one outside the system
        "/api/experiences/",
        {"cadre": city.cadres["town_b"].pk, "start": "2010-09-01", "end": "2013-07-01", "unit_name": "某大学",
         "kind": "study"},
        content_type="application/json",
    )  # fmt: skip
    assert outside.status_code == 201 and outside.json()["unit_display"] == "某大学"
    assert client.delete(f"/api/experiences/{outside.json()['id']}/").status_code == 204
    assert client_for("orgdept_a").delete(f"/api/experiences/{entry.pk}/").status_code == 204


# --- token sign-in and who-am-I ----------------------------------------------------------------------------------


def test_token_auth(city):
    anonymous = APIClient()
    assert anonymous.get("/api/cadres/").status_code in (401, 403)
    response = anonymous.post("/api/auth/token/", {"username": "orgdept_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    login = AuditEvent.objects.filter(category="auth", action="login")
    assert [(e.actor_name, e.source) for e in login] == [("orgdept_a", "api")]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert _ids(client.get("/api/cadres/")) == _pks(city, VISIBLE["orgdept_a"])
    # The same token comes back on the next sign-in.
    again = anonymous.post("/api/auth/token/", {"username": "orgdept_a", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token
    bogus = APIClient()
    bogus.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert bogus.get("/api/cadres/").status_code in (401, 403)


def test_failed_token_sign_in_is_audited_once(city):
    response = APIClient().post("/api/auth/token/", {"username": "orgdept", "password": "wrong"}, format="json")
    assert response.status_code == 400 and "token" not in response.json()
    failed = AuditEvent.objects.filter(category="auth", action="login_failed")
    assert [(e.object_repr, e.source) for e in failed] == [("orgdept", "api")]
    assert not AuditEvent.objects.filter(category="auth", action="login").exists()
    inactive = city.users["officer_b"]
    inactive.is_active = False
    inactive.save()
    refused = APIClient().post("/api/auth/token/", {"username": "officer_b", "password": PASSWORD}, format="json")
    assert refused.status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_me(city, client_for, role):
    user = city.users[role]
    data = client_for(role).get("/api/me/").json()
    assert data["username"] == role and data["role"] == user.role
    assert data["scope_unit"] == user.scope_unit_id
    assert data["scope_unit_name"] == (user.scope_unit.name if user.scope_unit_id else None)
    assert data["cadre"] == user.cadre_id
