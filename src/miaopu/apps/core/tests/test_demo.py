"""``miaopu demo``: the demo city is shaped like a real prefecture city and its data is internally consistent."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client

from miaopu.apps.cadres.models import Cadre, Experience
from miaopu.apps.cadres.selectors import cadre_facts, cadre_list
from miaopu.apps.core import demo
from miaopu.apps.core.models import AuditEvent, User
from miaopu.apps.mentoring.models import Mentorship
from miaopu.apps.units.models import Post, Unit
from miaopu.domain.dates import add_months, age_on
from miaopu.domain.idcard import validate_id_number

pytestmark = pytest.mark.django_db

N = 300
SEED = 11


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def demo_city() -> str:
    return run_demo("--cadres", str(N), "--seed", str(SEED))


def snapshot() -> list[tuple]:
    return list(Cadre.objects.order_by("code").values_list("code", "name", "birth_date", "id_number", "unit__name"))


def test_units_form_a_prefecture_city(demo_city):
    root = Unit.objects.get(parent=None)
    assert root.name == "示范市" and root.level == "city"
    organs = Unit.objects.filter(parent=root, level="city")
    districts = Unit.objects.filter(parent=root, level="county")
    assert 30 <= organs.count() <= 50
    assert sorted(districts.values_list("name", flat=True)) == sorted(d[0] for d in demo.DISTRICTS)
    assert set(demo.SECONDMENT_DESTINATIONS) <= set(districts.values_list("name", flat=True))
    assert 50 <= Unit.objects.filter(level="town").count() <= 70
    assert 500 <= Unit.objects.filter(level="village").count() <= 700
    assert set(organs.values_list("kind", flat=True)) == {"party_gov", "institution", "soe", "mass_org"}
    assert organs.filter(name="共青团示范市委", kind="mass_org").exists()
    assert Unit.objects.filter(level="town", is_remote=True).exists()
    assert Unit.objects.filter(level="town", tags__contains="乡村振兴").exists()
    # Every town has its two township heads (党委书记 and 镇长/乡长/街道办事处主任).
    for town in Unit.objects.filter(level="town"):
        heads = set(Post.objects.filter(unit=town, is_township_head=True).values_list("title", flat=True))
        assert len(heads) == 2 and any(t.endswith("书记") for t in heads), (town.name, heads)


def test_tree_fields_follow_the_services_rule(demo_city):
    from miaopu.apps.units.services import _refresh_tree

    before = {u.pk: (u.path, u.depth, u.district_id) for u in Unit.objects.all()}
    _refresh_tree(Unit.objects.get(parent=None))
    after = {u.pk: (u.path, u.depth, u.district_id) for u in Unit.objects.all()}
    assert before == after
    village = Unit.objects.filter(level="village").select_related("district", "parent__parent").first()
    assert village.depth == 3 and village.district == village.parent.parent
    # A county organ belongs to its district; it is not a district of its own.
    organ = Unit.objects.select_related("district", "parent").get(name="东湖区财政局")
    assert organ.level == "county" and organ.district == organ.parent and organ.district.name == "东湖区"
    assert Unit.objects.filter(district_id=models.F("id")).count() == len(demo.DISTRICTS)


def test_cadres_have_valid_consistent_personal_data(demo_city):
    cadres = list(Cadre.objects.select_related("post"))
    assert len(cadres) == N
    today = dt.date.today()
    for c in cadres:
        check = validate_id_number(c.id_number)
        assert check.ok, (c.code, check.message)
        assert check.birth_date == c.birth_date and check.gender == c.gender, c.code
        assert 21 <= age_on(c.birth_date, today) <= 60, c.code
        assert c.work_start_date >= add_months(c.birth_date, 18 * 12), c.code
        if c.civil_service_entry_date:
            assert c.work_start_date <= c.civil_service_entry_date <= today, c.code
        for since in (c.leadership_level_since, c.rank_since, c.party_join_date):
            assert since is None or c.birth_date < since <= today, c.code
        assert c.post is None or c.post.unit_id == c.unit_id, c.code
        assert c.post_title == c.post.title, c.code
    women = sum(c.gender == "female" for c in cadres) / len(cadres)
    assert 0.25 <= women <= 0.45
    party = sum(c.is_party_member for c in cadres) / len(cadres)
    assert 0.65 <= party <= 0.92
    assert len({c.name[0] for c in cadres}) > 20  # names come from many surnames


def test_no_leadership_post_has_more_holders_than_its_headcount(demo_city):
    for post in Post.objects.filter(category="leadership"):
        assert post.holders.count() <= post.headcount, post


def test_histories_are_consecutive_and_end_at_the_current_post(demo_city):
    entries: dict[int, list[Experience]] = {}
    for e in Experience.objects.order_by("cadre_id", "start", "id"):
        entries.setdefault(e.cadre_id, []).append(e)
    today = dt.date.today()
    for c in Cadre.objects.all():
        history = entries[c.pk]
        assert history[0].start >= add_months(c.birth_date, 18 * 12), c.code
        assert history[0].start == c.work_start_date, c.code
        for earlier, later in zip(history, history[1:], strict=False):
            assert earlier.end is not None and earlier.start < earlier.end <= later.start, c.code
        last = history[-1]
        assert last.end is None and last.unit_id == c.unit_id and last.post_title == c.post_title, c.code
        assert last.start <= today
        if c.leadership_level not in ("", "staff") and c.leadership_level_since:
            assert c.leadership_level_since >= c.work_start_date, c.code


def test_rural_experience_varies_among_young_cadres(demo_city):
    young = [c for c in Cadre.objects.all() if age_on(c.birth_date, dt.date.today()) < 35]
    months = [cadre_facts(c).rural_months for c in young]
    assert any(m == 0 for m in months) and any(m >= 24 for m in months)
    # 选调生 start with two years in a village (or are still there).
    for c in Cadre.objects.filter(source="selected_graduate"):
        first = c.experiences.order_by("start").select_related("unit").first()
        assert first.unit.level == "village", c.code


def test_same_seed_gives_the_same_city(demo_city):
    first = snapshot()
    run_demo("--cadres", str(N), "--seed", str(SEED), "--force")
    assert snapshot() == first
    run_demo("--cadres", str(N), "--seed", str(SEED + 1), "--force")
    assert [row[:3] for row in snapshot()] != [row[:3] for row in first]
    assert Unit.objects.filter(parent=None).count() == 1  # --force replaced the city, it did not add one


def test_demo_accounts_exist_and_log_in(demo_city):
    users = {u.username: u for u in User.objects.select_related("scope_unit")}
    expected = {
        "sysadmin": "sysadmin",
        "secadmin": "secadmin",
        "auditor": "auditor",
        "orgdept": "orgdept",
        "orgdept_donghu": "orgdept",
        "officer": "unit_officer",
        "mentor": "mentor",
        "cadre": "cadre",
    }
    assert {name: users[name].role for name in expected} == expected
    assert users["orgdept"].scope_unit.parent_id is None
    assert users["orgdept_donghu"].scope_unit.name == "东湖区"
    assert users["officer"].scope_unit.level == "town"
    assert users["sysadmin"].scope_unit is None
    for name in expected:
        assert Client().login(username=name, password=demo.DEMO_PASSWORD), name
    assert cadre_list(user=users["mentor"]).count() >= 3
    assert list(cadre_list(user=users["cadre"])) == [users["cadre"].cadre]
    district = cadre_list(user=users["orgdept_donghu"])
    assert 0 < district.count() < N
    assert not district.exclude(unit__district__name="东湖区").exists()
    assert Mentorship.objects.filter(is_active=True).count() >= 20
    assert demo.DEMO_PASSWORD in demo_city  # the command prints the accounts


def test_if_empty_leaves_a_populated_database_alone(demo_city):
    before = (snapshot(), Unit.objects.count(), AuditEvent.objects.count())
    out = run_demo("--cadres", "50", "--if-empty")
    assert "已有数据" in out
    assert (snapshot(), Unit.objects.count(), AuditEvent.objects.count()) == before
    assert "orgdept" in out and demo.DEMO_PASSWORD in out  # make run still tells the user how to log in


def test_refuses_a_second_city_without_force(demo_city):
    with pytest.raises(CommandError, match="--force"):
        run_demo("--cadres", "50")
    assert Cadre.objects.count() == N


def test_one_audit_event_for_the_whole_generation(demo_city):
    events = AuditEvent.objects.filter(action="generate", object_type="demo")
    assert events.count() == 1
    event = events.get()
    assert event.category == "change" and event.source == "cli"
    assert event.detail["counts"]["cadres"] == N and event.detail["seed"] == SEED
    assert not AuditEvent.objects.filter(object_type="cadres.cadre").exists()  # no per-row events


def test_rejects_impossible_sizes(db):
    with pytest.raises(CommandError):
        run_demo("--cadres", "0")
    with pytest.raises(CommandError):
        run_demo("--cadres", str(demo.MAX_CADRES + 1))
    assert not Unit.objects.exists()
