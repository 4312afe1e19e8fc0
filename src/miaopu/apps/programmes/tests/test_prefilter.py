"""The SQL prefilter only saves work: judged with it or without it, exactly the same cadres are eligible.

A generated city (ages, entry dates and sources around every threshold the templates use, blanks, future dates,
29 February births) is judged by every seeded template and by hand-made rules on several dates, both ways.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from miaopu.apps.cadres.models import Experience
from miaopu.apps.core.testing import make_cadre
from miaopu.apps.programmes import prefilter, selectors
from miaopu.apps.programmes.models import ProgrammeTemplate
from miaopu.apps.programmes.spec import parse_spec
from miaopu.apps.programmes.views import PAGE_SIZE
from miaopu.domain.dates import add_months
from miaopu.domain.vocab import ExperienceKind, LeadershipLevel, PoliticalStatus, Source

pytestmark = pytest.mark.django_db

DATES = [dt.date(2026, 12, 2), dt.date(2028, 2, 29), dt.date(2027, 1, 31), dt.date(2026, 3, 1)]


@pytest.fixture
def varied_city(city):
    rng = random.Random(20261202)
    units = [city.organ, city.town_a, city.town_b, city.village_a, city.district_a, city.district_b]
    anchor = DATES[0]
    for i in range(260):
        age = rng.choice([22, 28, 34, 35, 36, 37, 39, 40, 41, 45, 58])
        birth = add_months(anchor, -12 * age + rng.randint(-14, 14))
        if i % 37 == 0:
            birth = dt.date(1991 - (i % 3), 2, 28 + (i % 2)) if (i % 2 == 0) else dt.date(1992, 2, 29)
        months = rng.choice([None, -3, 0, 5, 11, 12, 13, 23, 24, 35, 36, 37, 60, 120])
        entry = None if months is None else add_months(anchor, -months) + dt.timedelta(days=rng.randint(-20, 20))
        cadre = make_cadre(
            rng.choice(units),
            f"生成{i}",
            birth,
            gender=rng.choice(["male", "female"]),
            source=rng.choice([*(m.value for m in Source), ""]),
            political_status=rng.choice([m.value for m in PoliticalStatus]),
            leadership_level=rng.choice([*(m.value for m in LeadershipLevel), ""]),
            civil_service_entry_date=entry,
        )
        for _ in range(rng.choice([0, 0, 1, 2, 3])):  # entries around the dates judged, some open, some later
            start = add_months(anchor, -rng.randint(-6, 150)) + dt.timedelta(days=rng.randint(-15, 15))
            end = rng.choice([None, start + dt.timedelta(days=rng.choice([3, 20, 40, 400, 900]))])
            Experience.objects.create(
                cadre=cadre,
                unit=rng.choice([*units, None]),
                start=start,
                end=end,
                kind=rng.choice([m.value for m in ExperienceKind]),
                post_title=rng.choice(["党委书记", "副镇长", "镇长", "科员", "办事处主任", "副书记", ""]),
            )
    return city


def _both_ways(user, version, as_of):
    rows = selectors.eligibility_list(user=user, version=version, as_of=as_of)
    full = {r.cadre_id: r.group for r in rows if r.eligible}
    fast = {r.cadre_id: r.group for r in selectors.eligible_rows(user=user, version=version, as_of=as_of)}
    return full, fast


@pytest.mark.parametrize("as_of", DATES)
def test_every_seeded_template_gives_the_same_eligible_cadres(varied_city, as_of):
    user = varied_city.users["orgdept"]
    narrowed = 0
    for template in ProgrammeTemplate.objects.all():
        version = template.current_version
        full, fast = _both_ways(user, version, as_of)
        assert fast == full, template.code
        narrowed += prefilter.necessary_q(version.parsed, as_of) is not None
    assert narrowed >= 5  # most templates do have SQL-checkable conditions


RULES = [
    {"lte": 35, "fact": "age"},
    {"lt": 36, "fact": "age"},
    {"gte": 36, "fact": "age"},
    {"gt": 35, "fact": "age"},
    {"gte": 0, "fact": "age"},
    {"eq": 35, "fact": "age"},
    {"between": [28, 35], "fact": "age"},
    {"lt": 35.5, "fact": "age"},
    {"lt": 12, "fact": "civil_service_months"},
    {"between": [12, 23], "fact": "civil_service_months"},
    {"gte": 36, "fact": "civil_service_months"},
    {"gte": 0, "fact": "civil_service_months"},
    {"eq": 0, "fact": "civil_service_months"},
    {"lt": 1, "fact": "civil_service_years"},
    {"eq": 1, "fact": "civil_service_years"},
    {"gte": 2, "fact": "civil_service_years"},
    {"in": ["selected_graduate", "recruited_talent"], "fact": "source"},
    {"eq": "town", "fact": "unit_level"},
    {"gte": "section", "fact": "leadership_level"},
    {"lt": "section", "fact": "leadership_level"},
    {"between": ["deputy_section", "deputy_division"], "fact": "leadership_level"},
    {"gte": "本科", "fact": "education"},
    {"lte": 0, "fact": "rural_months"},
    {"lt": 24, "fact": "rural_months"},
    {"gte": 3, "fact": "rural_months"},
    {"not": {"lte": 30, "fact": "age"}},
    {"any": [{"lte": 30, "fact": "age"}, {"eq": "female", "fact": "gender"}]},
    {"any": [{"lte": 30, "fact": "age"}, {"lt": 24, "fact": "rural_months"}]},
    {"all": [{"lte": 40, "fact": "age"}, {"in": ["中共党员", "预备党员"], "fact": "political_status"}]},
    {
        "has_experience": {
            "unit_level": ["town"],
            "post_title_contains": ["党委书记", "镇长"],
            "post_title_excludes": ["副"],
        }
    },
    {"has_experience": {"kind": ["posting"], "min_months": 12}},
    {"has_experience": {"kind": ["secondment", "loan"]}},
    {"has_experience": {"unit_level": ["village", "town"], "min_months": 24}},
    {"not": {"has_experience": {"unit_level": ["town"]}}},
    {"any": [{"has_experience": {"unit_level": ["city"]}}, {"lte": 28, "fact": "age"}]},
]


@pytest.mark.parametrize("rule", RULES, ids=[str(i) for i in range(len(RULES))])
def test_hand_made_rules_give_the_same_eligible_cadres(varied_city, rule):
    user = varied_city.users["orgdept"]
    spec = parse_spec({"eligibility": rule})

    class Version:
        parsed = spec

    for as_of in DATES:
        full, fast = _both_ways(user, Version, as_of)
        assert fast == full, (rule, as_of)


GROUPED = [
    {
        "eligibility": {"gte": 25, "fact": "age"},
        "groups": [
            {"name": "甲", "rule": {"lte": 30, "fact": "age"}},
            {"name": "乙", "rule": {"in": ["town", "village"], "fact": "unit_level"}},
            {"name": "丙", "rule": {"lt": 24, "fact": "civil_service_months"}},
        ],
    },
    {
        "groups": [
            {
                "name": "市直",
                "rule": {"all": [{"eq": "city", "fact": "unit_level"}, {"lt": 24, "fact": "rural_months"}]},
            },
            {"name": "基层", "rule": {"in": ["county", "town", "village"], "fact": "unit_level"}},
        ],
    },
    {
        "eligibility": {"all": [{"lte": 35, "fact": "age"}, {"eq": 0, "fact": "rural_months"}]},
        "groups": [
            {"name": "有经历", "rule": {"has_experience": {"unit_level": ["county"]}}},
            {"name": "新人", "rule": {"between": [0, 11], "fact": "civil_service_months"}},
            {"name": "其他", "rule": {"gte": 0, "fact": "age"}},
        ],
    },
]


@pytest.mark.parametrize("data", GROUPED, ids=[str(i) for i in range(len(GROUPED))])
def test_grouped_rules_give_the_same_cadres_in_the_same_groups(varied_city, data):
    """Groups: the engine takes the first group that holds, so a cadre is decided in SQL only when no earlier group
    may hold; both ways must agree on every cadre's group."""
    user = varied_city.users["orgdept"]
    spec = parse_spec(data)

    class Version:
        parsed = spec

    for as_of in DATES:
        full, fast = _both_ways(user, Version, as_of)
        assert fast == full, (data, as_of)
        assert prefilter.decide(spec, as_of).sure  # some cadres were decided by the database


def test_what_cannot_be_read_in_sql_narrows_nothing():
    as_of = DATES[0]
    for rule in (
        {"not": {"lte": 30, "fact": "age"}},
        {"any": [{"lte": 30, "fact": "age"}, {"gt": 3, "fact": "grassroots_months"}]},
        {"not": {"has_experience": {"unit_level": ["town"]}}},
        {"contains": "乡村振兴", "fact": "unit_tags"},
    ):
        assert prefilter.necessary_q(parse_spec({"eligibility": rule}), as_of) is None, rule
    assert prefilter.necessary_q(parse_spec({"eligibility": {"lte": 35, "fact": "age"}}), as_of) is not None


def test_eligible_page_judges_only_the_page_and_the_narrowed_cadres(varied_city, client_for, monkeypatch):
    """The list's counts and pages match a full judgement, and a page judges only its own cadres."""
    judged = []
    real = selectors.evaluate_loaded

    def counting(spec, loaded, as_of):
        judged.append(len(loaded))
        return real(spec, loaded, as_of)

    monkeypatch.setattr(selectors, "evaluate_loaded", counting)
    client = client_for("orgdept")
    user = varied_city.users["orgdept"]
    version = ProgrammeTemplate.objects.get(code="xinmiao").current_version
    today = dt.date.today()
    full = real(version.parsed, selectors.load_profiles(selectors.active_cadres(user=user)), today)
    eligible = sorted(r.cadre_id for r in full if r.eligible)
    response = client.get("/programmes/templates/xinmiao/eligible/")
    assert response.context["total"] == len(full)
    assert response.context["eligible"] == len(eligible)
    decision = prefilter.decide(version.parsed, today)
    narrowed = selectors.active_cadres(user=user).filter(decision.maybe)
    decided = sum(narrowed.filter(q).count() for _group, q in decision.sure)
    assert 0 < decided < narrowed.count() < len(full)
    assert judged[0] == narrowed.count() - decided  # the engine judged only what the database could not decide
    assert judged[1] == min(PAGE_SIZE, len(full))  # the page judged its own rows
    yes = client.get("/programmes/templates/xinmiao/eligible/?result=yes&page=1")
    assert yes.context["shown"] == len(eligible)
    assert all(r.eligible for r in yes.context["page_obj"])
    assert len(yes.context["page_obj"]) == min(PAGE_SIZE, len(eligible))
    no = client.get("/programmes/templates/xinmiao/eligible/?result=no")
    assert no.context["shown"] == len(full) - len(eligible)
    assert not any(r.eligible for r in no.context["page_obj"])
    groups = client.get("/programmes/templates/xinmiao/eligible/?group=扶苗")
    assert all(r.group == "扶苗" for r in groups.context["page_obj"])
    assert groups.context["shown"] == sum(1 for r in full if r.group == "扶苗")
