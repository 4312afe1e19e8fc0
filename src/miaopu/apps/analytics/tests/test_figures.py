"""Every structure figure equals an independent count over the hand-built city, in three queries, per scope."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from miaopu.apps.analytics import selectors
from miaopu.apps.cadres.models import Cadre
from miaopu.apps.mentoring.models import Mentorship
from miaopu.domain.dates import age_on

from .conftest import in_scope

pytestmark = pytest.mark.django_db

BANDS = {"<=30": (0, 30), "31-35": (31, 35), "36-40": (36, 40), "41-45": (41, 45), "46-50": (46, 50),
         "51-55": (51, 55), ">=56": (56, 200)}  # fmt: skip


def expected(cadres: list[Cadre], today: dt.date) -> dict:
    """The figures worked out by hand (plain Python over the rows, no SQL aggregate)."""
    active = [c for c in cadres if c.status == "active"]
    ages = {c.pk: age_on(c.birth_date, today) for c in active}
    mentored = set(Mentorship.objects.filter(is_active=True).values_list("mentee_id", flat=True))
    total = len(active)
    average = (Decimal(sum(ages.values())) / total).quantize(Decimal("0.1"), ROUND_HALF_UP) if total else None
    return {
        "total": total,
        "average_age": average,
        "women": sum(c.gender == "female" for c in active),
        "non_party": sum(c.political_status not in ("cpc", "probationary") for c in active),
        "young": sum(a <= 35 for a in ages.values()),
        "mentored_young": sum(ages[c.pk] <= 35 and c.pk in mentored for c in active),
        "bands": {k: sum(lo <= ages[c.pk] <= hi for c in active) for k, (lo, hi) in BANDS.items()},
        "gender": {g: sum(c.gender == g for c in active) for g in ("male", "female")},
        "political_status": {
            p: sum(c.political_status == p for c in active)
            for p in ("cpc", "probationary", "democratic", "independent", "masses")
        },
        "education": {
            **{
                e: sum(c.fulltime_education == e for c in active)
                for e in ("doctorate", "master", "bachelor", "college", "secondary", "high_school")
            },
            "unknown": sum(not c.fulltime_education for c in active),
        },  # fmt: skip
        "source": {
            s: sum(c.source == s for c in active)
            for s in ("selected_graduate", "recruited_talent", "civil_exam", "institution_hire", "military", "other")
        },
        "leadership_level": {
            **{
                lv: sum(c.leadership_level == lv for c in active)
                for lv in (
                    "clerk",
                    "staff",
                    "deputy_section",
                    "section",
                    "deputy_division",
                    "division",
                    "deputy_bureau",
                    "bureau",
                )
            },
            "none": sum(not c.leadership_level for c in active),
        },  # fmt: skip
    }


@pytest.mark.parametrize("role", ["orgdept", "orgdept_a", "officer_b", "officer_town_a"])
def test_each_figure_equals_an_independent_count(stats_city, role, django_assert_num_queries):
    city = stats_city
    today = dt.date.today()
    with django_assert_num_queries(3):  # by birth date, by category, the mentored young
        s = selectors.structure(user=city.users[role], as_of=today, links=False)
    want = expected(in_scope(city, role), today)
    assert (s.total, s.average_age, s.women, s.non_party, s.young, s.mentored_young) == (
        want["total"], want["average_age"], want["women"], want["non_party"], want["young"], want["mentored_young"],
    )  # fmt: skip
    assert {f.key: f.value for f in s.by_age_band} == want["bands"]
    for key in ("gender", "political_status", "education", "source", "leadership_level"):
        assert {f.key: f.value for f in s.dimensions[key]} == want[key], key
    assert sum(f.value for f in s.by_age_band) == s.total


def test_city_figures_by_hand(stats_city):
    """The city-wide numbers written out, so a wrong "independent" count cannot hide a wrong figure."""
    s = selectors.structure(user=stats_city.users["orgdept"])
    # 6 cadres of build_city() + 7 active here (调出者 is transferred).
    assert s.total == 13
    assert s.women == 3 + 3  # 陈静 李娜 周婷 + 甲一 乙一 丙一
    assert s.non_party == 1 + 4  # 陈静 (群众) + 甲一 甲二 乙二 丙二; 乙一 is 预备党员 = party
    assert {f.key: f.value for f in s.by_age_band}["31-35"] >= 2  # 乙一 (35, birthday tomorrow), 丙二 31
    assert s.mentored_young == 2  # 乙一 and 甲一; 丙二's mentorship ended; 赵强 (mentored) is over 35
    assert {f.key: f.value for f in s.dimensions["education"]}["unknown"] == 1  # 甲三


def test_district_officer_sees_only_the_district(stats_city):
    s = selectors.structure(user=stats_city.users["officer_b"])
    assert s.total == 4  # 赵强 周婷 丙一 丙二
    assert {f.key: f.value for f in s.dimensions["gender"]} == {"male": 2, "female": 2}


def test_birthday_tomorrow_keeps_the_younger_age(stats_city):
    """乙一 turns 36 tomorrow: today in 31—35, tomorrow in 36—40 (ages in full years, 周岁)."""
    user = stats_city.users["officer_town_a"]  # 王海 李娜 乙一 乙二
    today = dt.date.today()
    bands_today = {f.key: f.value for f in selectors.structure(user=user, as_of=today).by_age_band}
    bands_tomorrow = {
        f.key: f.value for f in selectors.structure(user=user, as_of=today + dt.timedelta(days=1)).by_age_band
    }
    assert bands_tomorrow["36-40"] == bands_today["36-40"] + 1
    assert bands_tomorrow["31-35"] == bands_today["31-35"] - 1


def test_a_past_date_counts_ages_then_and_offers_no_links(stats_city):
    user = stats_city.users["orgdept"]
    today = dt.date.today()
    then = today.replace(year=today.year - 5) if not (today.month == 2 and today.day == 29) else dt.date(2020, 3, 1)
    s = selectors.structure(user=user, as_of=then)
    want = expected(in_scope(stats_city, "orgdept"), then)
    assert s.average_age == want["average_age"] and {f.key: f.value for f in s.by_age_band} == want["bands"]
    assert all(f.link is None for f in s.by_age_band) and s.links["women"] is None


def test_every_figure_links_to_a_list_of_exactly_that_many(stats_city, client_for):
    """Click-through: each figure's link opens the roster with the same number of cadres."""
    client = client_for("orgdept")
    s = selectors.structure(user=stats_city.users["orgdept"])
    figures = [*s.headline, *s.by_age_band, *[f for figs in s.dimensions.values() for f in figs]]
    checked = 0
    for figure in figures:
        if figure.link is None:
            assert figure.key in ("unknown", "none"), figure  # blank values have no roster filter
            continue
        response = client.get(figure.link)
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == figure.value, (figure.label, figure.link)
        checked += 1
    assert checked >= 30


def test_report_filters_narrow_the_figures_and_their_links(stats_city, client_for):
    """A report for "women under 36": every figure is over that subset, and links keep the filter."""
    client = client_for("orgdept")
    s = selectors.structure(user=stats_city.users["orgdept"], params={"gender": "female", "age_max": "35"})
    active = [c for c in in_scope(stats_city, "orgdept") if c.status == "active"]
    women_young = [c for c in active if c.gender == "female" and age_on(c.birth_date, dt.date.today()) <= 35]
    assert s.total == len(women_young)
    male = next(f for f in s.dimensions["gender"] if f.key == "male")
    assert male.value == 0 and male.link is None  # contradicts the filter: no list
    band = next(f for f in s.by_age_band if f.key == "36-40")
    assert band.value == 0 and band.link is None
    young = next(f for f in s.by_age_band if f.key == "31-35")
    assert "gender=female" in young.link and "age_min=31" in young.link and "age_max=35" in young.link
    assert client.get(young.link).context["page_obj"].paginator.count == young.value


def test_mentoring_cohorts_add_up(stats_city, client_for):
    user = stats_city.users["orgdept"]
    s = selectors.structure(user=user)
    mentored = selectors.cohort_cadres(user=user, key="mentored")
    unmentored = selectors.cohort_cadres(user=user, key="unmentored")
    assert mentored.count() == s.mentored_young == 2
    assert mentored.count() + unmentored.count() == s.young
    assert {c.name for c in mentored} == {"乙一", "甲一"}
    html = client_for("orgdept").get(selectors.cohort_link("mentored")).content.decode()
    assert "乙一" in html and "甲一" in html and "丙二" not in html
