"""Unit tree and post pages: who sees which units, cadre counts per subtree, and audited edits."""

from __future__ import annotations

import pytest

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.units.models import Post, Unit

pytestmark = pytest.mark.django_db

#: Unit attribute names of ``City`` each role sees in the tree.
TREE = {
    "orgdept": {"root", "organ", "district_a", "district_b", "town_a", "town_b", "village_a"},
    "orgdept_a": {"district_a", "town_a", "village_a"},
    "officer_b": {"district_b", "town_b"},
    "officer_town_a": {"town_a", "village_a"},
    "secadmin": {"root", "organ", "district_a", "district_b", "town_a", "town_b", "village_a"},
}
NO_TREE = ["sysadmin", "auditor", "mentor", "cadre"]
ALL_UNITS = TREE["orgdept"]


def _tree_units(response) -> set[int]:
    return {node.unit.pk for node in response.context["nodes"]}


@pytest.mark.parametrize("role", sorted(TREE))
def test_tree_shows_the_scope(client_for, city, role):
    response = client_for(role).get("/units/")
    assert response.status_code == 200
    assert _tree_units(response) == {getattr(city, name).pk for name in TREE[role]}
    html = response.content.decode()
    for name in ALL_UNITS - TREE[role]:
        assert f'href="/units/{getattr(city, name).pk}/"' not in html


@pytest.mark.parametrize("role", NO_TREE)
def test_tree_is_forbidden_to_other_roles(client_for, role):
    assert client_for(role).get("/units/").status_code == 403


def test_tree_counts_sum_subtrees(client_for, city):
    response = client_for("orgdept").get("/units/")
    totals = {node.unit.pk: node.total for node in response.context["nodes"]}
    assert totals[city.root.pk] == 6
    assert totals[city.district_a.pk] == 2  # 青石镇 + 红旗村
    assert totals[city.town_a.pk] == 2 and totals[city.village_a.pk] == 1
    assert totals[city.district_b.pk] == 2 and totals[city.organ.pk] == 2
    html = response.content.decode()
    assert f'href="/cadres/?unit={city.district_a.pk}&amp;status=active"' in html


def test_security_admin_sees_no_cadre_counts(client_for, city):
    response = client_for("secadmin").get("/units/")
    assert "/cadres/?unit=" not in response.content.decode()


def test_tree_query_count_does_not_grow_with_units(client_for, city, django_assert_max_num_queries):
    from miaopu.apps.core.testing import make_unit

    for i in range(30):
        make_unit(f"青石镇新村{i}", "village", city.town_a)
    client = client_for("orgdept")
    with django_assert_max_num_queries(6):
        response = client.get("/units/")
    assert len(_tree_units(response)) == 37


@pytest.mark.parametrize("role", sorted(TREE))
def test_unit_detail_by_scope(client_for, city, role):
    client = client_for(role)
    for name in ALL_UNITS:
        unit = getattr(city, name)
        expected = 200 if name in TREE[role] else 404
        assert client.get(f"/units/{unit.pk}/").status_code == expected, (role, name)


def test_unit_detail_shows_attributes_posts_and_children(client_for, city):
    Unit.objects.filter(pk=city.town_a.pk).update(tags="乡村振兴、项目建设", is_remote=True)
    html = client_for("orgdept").get(f"/units/{city.town_a.pk}/").content.decode()
    assert "东湖区" in html  # 所属区县
    assert "乡村振兴" in html and "项目建设" in html and "偏远" in html
    assert "镇长" in html  # its post
    assert "青石镇红旗村" in html  # its child
    assert f"/cadres/?unit={city.town_a.pk}&amp;status=active" in html


def test_unit_pages_forbidden_to_personnel_roles_without_units(client_for, city):
    assert client_for("mentor").get(f"/units/{city.town_b.pk}/").status_code == 403


def test_orgdept_creates_a_unit_through_the_service(client_for, city):
    client = client_for("orgdept_a")
    form = client.get(f"/units/new/?parent={city.town_a.pk}")
    assert form.status_code == 200 and form.context["form"].initial["parent"] == city.town_a.pk
    response = client.post(
        "/units/new/",
        {"name": "青石镇新民村", "parent": city.town_a.pk, "level": "village", "kind": "party_gov", "sort_order": 0},
    )
    unit = Unit.objects.get(name="青石镇新民村")
    assert response.status_code == 302 and response["Location"] == f"/units/{unit.pk}/"
    assert unit.district_id == city.district_a.pk
    event = AuditEvent.objects.get(object_type="units.unit", object_id=str(unit.pk), action="create")
    assert event.source == "web" and event.actor_name == "orgdept_a"


def test_unit_create_outside_scope_is_not_offered(client_for, city):
    client = client_for("orgdept_a")
    response = client.post(
        "/units/new/",
        {"name": "白沙镇新村", "parent": city.town_b.pk, "level": "village", "kind": "party_gov", "sort_order": 0},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert not Unit.objects.filter(name="白沙镇新村").exists()


def test_tree_rule_errors_land_on_the_field(client_for, city):
    response = client_for("orgdept").post(
        f"/units/{city.village_a.pk}/edit/",
        {
            "name": city.village_a.name,
            "parent": city.village_a.parent_id,
            "level": "county",
            "kind": "party_gov",
            "sort_order": 0,
        },
    )
    assert response.status_code == 200
    assert "不能高于上级单位" in " ".join(response.context["form"].errors["level"])
    city.village_a.refresh_from_db()
    assert city.village_a.level == "village"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("orgdept", 200), ("orgdept_a", 404), ("officer_b", 403), ("secadmin", 403), ("mentor", 403)],
)
def test_unit_edit_access(client_for, city, role, expected):
    assert client_for(role).get(f"/units/{city.town_b.pk}/edit/").status_code == expected


@pytest.mark.parametrize(("role", "expected"), [("orgdept", 200), ("officer_b", 403), ("cadre", 403)])
def test_unit_and_post_create_pages_only_for_orgdept(client_for, role, expected):
    client = client_for(role)
    assert client.get("/units/new/").status_code == expected
    assert client.get("/units/posts/new/").status_code == expected


def test_post_create_edit_and_detail(client_for, city):
    client = client_for("orgdept")
    page = client.get(f"/units/posts/new/?unit={city.town_b.pk}")
    assert page.context["form"].initial["unit"] == city.town_b.pk
    response = client.post(
        "/units/posts/new/",
        {
            "unit": city.town_b.pk,
            "title": "党委书记",
            "category": "leadership",
            "leadership_level": "section",
            "is_township_head": "on",
            "headcount": 1,
        },
    )
    post = Post.objects.get(unit=city.town_b, title="党委书记")
    assert response.status_code == 302 and post.is_township_head
    detail = client.get(f"/units/posts/{post.pk}/")
    assert detail.status_code == 200 and "党委书记" in detail.content.decode()
    client.post(
        f"/units/posts/{post.pk}/edit/",
        {
            "unit": city.town_b.pk,
            "title": "党委书记",
            "category": "leadership",
            "leadership_level": "section",
            "headcount": 2,
        },
    )
    post.refresh_from_db()
    assert post.headcount == 2 and not post.is_township_head
    assert AuditEvent.objects.filter(object_type="units.post", object_id=str(post.pk), source="web").count() == 2


def test_post_rule_error_is_shown_on_the_field(client_for, city):
    response = client_for("orgdept").post(
        "/units/posts/new/",
        {
            "unit": city.village_a.pk,
            "title": "村支书",
            "category": "leadership",
            "is_township_head": "on",
            "headcount": 1,
        },
    )
    assert response.status_code == 200
    assert "只能设在镇街单位" in response.content.decode()
    assert not Post.objects.filter(title="村支书").exists()


def test_post_pages_by_scope(client_for, city):
    post = city.posts["town_a_head"]
    assert client_for("officer_town_a").get(f"/units/posts/{post.pk}/").status_code == 200
    assert client_for("officer_b").get(f"/units/posts/{post.pk}/").status_code == 404
    assert client_for("officer_town_a").get(f"/units/posts/{post.pk}/edit/").status_code == 403


def test_posts_json_for_the_cadre_form(client_for, city):
    data = client_for("orgdept_a").get(f"/units/{city.town_a.pk}/posts.json").json()
    assert [p["title"] for p in data["posts"]] == ["镇长"]
    assert data["posts"][0]["label"] == "镇长（正科）"
    assert client_for("orgdept_a").get(f"/units/{city.town_b.pk}/posts.json").status_code == 404
