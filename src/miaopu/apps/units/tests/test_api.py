"""The unit and post endpoints: every role sees exactly its part of the tree; only 组织部 staff change it."""

from __future__ import annotations

import pytest

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.units.models import Post, Unit

pytestmark = pytest.mark.django_db

ROLES = ["sysadmin", "secadmin", "auditor", "orgdept", "orgdept_a", "officer_b", "officer_town_a", "mentor", "cadre"]
ALL_UNITS = {"root", "organ", "district_a", "district_b", "town_a", "town_b", "village_a"}
#: Written out by hand (not derived from access.py) so a scoping regression fails here.
UNITS_VISIBLE = {
    "sysadmin": set(),
    "secadmin": ALL_UNITS,  # assigns scopes, so browses the tree, but sees no personnel
    "auditor": set(),
    "orgdept": ALL_UNITS,
    "orgdept_a": {"district_a", "town_a", "village_a"},
    "officer_b": {"district_b", "town_b"},
    "officer_town_a": {"town_a", "village_a"},
    "mentor": set(),
    "cadre": set(),
}
POSTS_VISIBLE = {
    "sysadmin": set(),
    "secadmin": set(),
    "auditor": set(),
    "orgdept": {"organ_chief", "town_a_head"},
    "orgdept_a": {"town_a_head"},
    "officer_b": set(),
    "officer_town_a": {"town_a_head"},
    "mentor": set(),
    "cadre": set(),
}
UNIT_MANAGERS = {"orgdept", "orgdept_a"}
#: Roles refused outright (403, as on the web pages) rather than shown an empty list.
UNIT_READERS = {"secadmin", "orgdept", "orgdept_a", "officer_b", "officer_town_a"}
POST_READERS = {"orgdept", "orgdept_a", "officer_b", "officer_town_a"}


def _unit(city, key: str) -> Unit:
    return getattr(city, key)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ROLES)
def test_unit_list_and_retrieve_match_scope(city, client_for, role):
    client = client_for(role)
    if role not in UNIT_READERS:
        assert client.get("/api/units/").status_code == 403
        assert {client.get(f"/api/units/{_unit(city, k).pk}/").status_code for k in ALL_UNITS} == {403}
        return
    expected = {_unit(city, k).pk for k in UNITS_VISIBLE[role]}
    assert _ids(client.get("/api/units/")) == expected
    for key in ALL_UNITS:
        unit = _unit(city, key)
        response = client.get(f"/api/units/{unit.pk}/")
        assert response.status_code == (200 if key in UNITS_VISIBLE[role] else 404), (role, key)


@pytest.mark.parametrize("role", ROLES)
def test_post_list_and_retrieve_match_scope(city, client_for, role):
    client = client_for(role)
    if role not in POST_READERS:
        assert client.get("/api/posts/").status_code == 403
        assert {client.get(f"/api/posts/{p.pk}/").status_code for p in city.posts.values()} == {403}
        return
    expected = {city.posts[k].pk for k in POSTS_VISIBLE[role]}
    assert _ids(client.get("/api/posts/")) == expected
    for key, post in city.posts.items():
        response = client.get(f"/api/posts/{post.pk}/")
        assert response.status_code == (200 if key in POSTS_VISIBLE[role] else 404), (role, key)


def test_unit_shows_labels_and_names(city, client_for):
    data = client_for("orgdept").get(f"/api/units/{city.town_b.pk}/").json()
    assert data["level"] == "town" and data["level_display"] == "镇街"
    assert data["kind"] == "party_gov" and data["kind_display"] == "党政机关"
    assert data["parent"] == city.district_b.pk and data["parent_name"] == "西山县"
    assert data["district_name"] == "西山县" and data["is_remote"] is True


def test_unit_filters(city, client_for):
    client = client_for("orgdept")
    assert _ids(client.get("/api/units/?level=town")) == {city.town_a.pk, city.town_b.pk}
    assert _ids(client.get("/api/units/?is_remote=true")) == {city.town_b.pk}
    assert _ids(client.get(f"/api/units/?parent={city.district_a.pk}")) == {city.town_a.pk}
    assert _ids(client.get("/api/units/?q=青石")) == {city.town_a.pk, city.village_a.pk}
    assert _ids(client.get("/api/units/?kind=soe")) == set()
    # A scoped user filtering by a parent outside the scope simply gets nothing.
    assert _ids(client_for("orgdept_a").get(f"/api/units/?parent={city.district_b.pk}")) == set()


@pytest.mark.parametrize("role", ROLES)
def test_unit_create_only_by_orgdept(city, client_for, role):
    before = Unit.objects.count()
    response = client_for(role).post(
        "/api/units/",
        {"name": "青石镇新村", "parent": city.town_a.pk, "level": "village"},
        content_type="application/json",
    )
    if role in UNIT_MANAGERS:
        assert response.status_code == 201, response.content
        unit = Unit.objects.get(name="青石镇新村")
        assert unit.path.startswith(city.town_a.path) and response.json()["level_display"] == "村社区"
        event = AuditEvent.objects.get(object_type="units.unit", object_id=str(unit.pk), action="create")
        assert event.source == "api" and event.actor_name == role
    else:
        assert response.status_code == 403, response.content
        assert Unit.objects.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_unit_update(city, client_for, role):
    response = client_for(role).patch(
        f"/api/units/{city.town_b.pk}/", {"short_name": "白沙"}, content_type="application/json"
    )
    expected = {"orgdept": 200, "orgdept_a": 404}.get(role, 403)  # orgdept_a manages 东湖区 only
    assert response.status_code == expected, response.content
    assert Unit.objects.get(pk=city.town_b.pk).short_name == ("白沙" if expected == 200 else "")


def test_unit_create_outside_scope_is_refused(city, client_for):
    response = client_for("orgdept_a").post(
        "/api/units/",
        {"name": "白沙镇新村", "parent": city.town_b.pk, "level": "village"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "parent" in response.json()
    assert not Unit.objects.filter(name="白沙镇新村").exists()


def test_unit_service_errors_come_back_per_field(city, client_for):
    # A village cannot hold a town: the tree rule lives in the service, and names the field in Chinese.
    response = client_for("orgdept").post(
        "/api/units/",
        {"name": "红旗村某镇", "parent": city.village_a.pk, "level": "town"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "单位层级" in response.json()["level"][0]


def test_unit_delete(city, client_for):
    client = client_for("orgdept")
    refused = client.delete(f"/api/units/{city.village_a.pk}/")  # still has a cadre
    assert refused.status_code == 400 and "该单位还有干部" in refused.json()["non_field_errors"][0]
    leaf = client.post(
        "/api/units/",
        {"name": "临时单位", "parent": city.town_b.pk, "level": "village"},
        content_type="application/json",
    ).json()
    assert client_for("orgdept_a").delete(f"/api/units/{leaf['id']}/").status_code == 404
    assert client.delete(f"/api/units/{leaf['id']}/").status_code == 204
    assert not Unit.objects.filter(pk=leaf["id"]).exists()
    assert AuditEvent.objects.filter(object_type="units.unit", object_id=str(leaf["id"]), action="delete").exists()


@pytest.mark.parametrize("role", ROLES)
def test_post_writes(city, client_for, role):
    client = client_for(role)
    created = client.post(
        "/api/posts/",
        {"unit": city.town_a.pk, "title": "副镇长", "category": "leadership", "leadership_level": "deputy_section"},
        content_type="application/json",
    )
    updated = client.patch(
        f"/api/posts/{city.posts['organ_chief'].pk}/", {"headcount": 2}, content_type="application/json"
    )
    if role == "orgdept":
        assert created.status_code == 201 and created.json()["unit_name"] == "东湖区青石镇"
        assert created.json()["leadership_level_display"] == "副科"
        assert updated.status_code == 200 and Post.objects.get(pk=city.posts["organ_chief"].pk).headcount == 2
    elif role == "orgdept_a":
        assert created.status_code == 201
        assert updated.status_code == 404  # the municipal organ is outside 东湖区
    else:
        assert created.status_code == 403 and updated.status_code == 403
    assert Post.objects.filter(title="副镇长").exists() == (role in UNIT_MANAGERS)
    if role in UNIT_MANAGERS:
        assert AuditEvent.objects.filter(object_type="units.post", action="create", source="api").count() == 1


def test_post_rules_from_the_service(city, client_for):
    client = client_for("orgdept")
    duplicate = client.post(
        "/api/posts/",
        {"unit": city.town_a.pk, "title": "镇长", "category": "leadership"},
        content_type="application/json",
    )
    assert duplicate.status_code == 400 and "同名岗位" in str(duplicate.json())
    head_in_organ = client.post(
        "/api/posts/",
        {"unit": city.organ.pk, "title": "局长", "category": "leadership", "is_township_head": True},
        content_type="application/json",
    )
    assert head_in_organ.status_code == 400 and "乡镇党政正职" in head_in_organ.json()["is_township_head"][0]
    deleted = client.delete(f"/api/posts/{city.posts['town_a_head'].pk}/")
    assert deleted.status_code == 204 and not Post.objects.filter(pk=city.posts["town_a_head"].pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/units/?parent=4.398491776119936e%2B48",
        "/api/units/?parent=1.5",
        "/api/units/?parent=0",
        "/api/posts/?unit=99999999999999999999",
        "/api/experiences/?cadre=-3",
    ],
)
def test_an_id_filter_out_of_range_is_a_400_not_a_500(client_for, url):
    """Found by the schemathesis fuzz test: ``parent=4.4e48`` overflowed SQLite's integer and answered 500."""
    response = client_for("orgdept").get(url)
    assert response.status_code == 400
    assert response.json()  # says which parameter is wrong


def test_an_id_filter_in_range_still_filters(city, client_for):
    rows = client_for("orgdept").get(f"/api/units/?parent={city.district_a.pk}").json()["results"]
    assert {r["name"] for r in rows} == {"东湖区青石镇"}
