"""Cadre profiles and the flat fact dict rules read; the FACTS registry that labels them in Chinese."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from miaopu.domain.experience import CadreFactsInput, Stint
from miaopu.domain.profile import FACTS, CadreProfile, facts_as_of
from miaopu.domain.vocab import Education, LeadershipLevel, Rank, UnitLevel

AS_OF = date(2025, 3, 1)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def profile(birth: date = date(1990, 5, 20), **facts_input: object) -> CadreProfile:
    return CadreProfile(
        code="T001",
        name="测试",
        birth_date=birth,
        facts_input=CadreFactsInput(birth_date=birth, **facts_input),  # type: ignore[arg-type]
        gender="female",
        source="selected_graduate",
        unit_level="town",
        unit_kind="party_gov",
        unit_is_remote=True,
        unit_tags=("乡村振兴",),
        specialties=("法律", "财会"),
        leadership_level="deputy_section",
    )


def test_fact_dict_has_every_registered_fact_plus_the_history() -> None:
    facts = facts_as_of(profile(), AS_OF)
    assert set(facts) == set(FACTS) | {"as_of", "stints", "unit_names"}
    assert facts["as_of"] == AS_OF
    assert (facts["gender"], facts["unit_level"], facts["unit_is_remote"]) == ("female", "town", True)
    assert facts["unit_tags"] == ("乡村振兴",) and facts["specialties"] == ("法律", "财会")


def test_age_on_and_around_birthdays() -> None:
    assert facts_as_of(profile(date(1989, 3, 1)), AS_OF)["age"] == 36  # birthday today
    assert facts_as_of(profile(date(1989, 3, 2)), AS_OF)["age"] == 35
    leap = profile(date(1992, 2, 29))
    assert [facts_as_of(leap, date(2025, m, d))["age"] for m, d in ((2, 28), (3, 1))] == [32, 33]
    assert facts_as_of(leap, date(2024, 2, 29))["age"] == 32


def test_civil_service_months_and_full_years() -> None:
    facts = facts_as_of(profile(civil_service_entry=date(2022, 3, 2), work_start=date(2021, 7, 1)), AS_OF)
    assert (facts["civil_service_months"], facts["civil_service_years"], facts["service_years"]) == (35, 2, 3)
    facts = facts_as_of(profile(civil_service_entry=date(2024, 3, 1)), AS_OF)
    assert (facts["civil_service_months"], facts["civil_service_years"]) == (12, 1)


def test_unknown_dates_are_none_not_zero() -> None:
    facts = facts_as_of(profile(), AS_OF)
    assert [facts[k] for k in ("service_years", "civil_service_months", "civil_service_years")] == [None] * 3
    assert (facts["months_in_level"], facts["months_in_rank"]) == (None, None)


def test_overlapping_and_open_stints() -> None:
    stints = (
        Stint(date(2023, 1, 1), date(2024, 1, 1), UnitLevel.TOWN.value),
        Stint(date(2023, 6, 1), date(2024, 6, 1), UnitLevel.VILLAGE.value, kind="secondment"),  # overlaps
        Stint(date(2024, 6, 1), None, UnitLevel.COUNTY.value),  # open: runs to the as-of date
    )
    facts = facts_as_of(profile(stints=stints, leadership_level_since=date(2024, 9, 1)), AS_OF)
    assert facts["rural_months"] == 17  # 2023-01-01 → 2024-06-01, counted once
    assert facts["grassroots_months"] == 26  # continuous 2023-01-01 → 2025-03-01
    assert facts["months_in_level"] == 6
    assert facts["stints"] == stints


def test_birth_dates_must_agree() -> None:
    good = profile()
    with pytest.raises(ValueError, match="birth_date"):
        replace(good, birth_date=date(1991, 1, 1))


def test_registry_labels_kinds_and_vocabularies() -> None:
    labels = [spec.label for spec in FACTS.values()]
    assert len(labels) == len(set(labels)), "labels double as fact names in rules, so they must be unique"
    for name, spec in FACTS.items():
        assert spec.name == name
        assert (spec.vocab is not None) == (spec.kind in ("choice", "ordered_choice")), name
        assert not spec.unit or spec.kind == "number", name
    assert (FACTS["age"].label, FACTS["age"].unit) == ("年龄", "岁")
    assert (FACTS["rural_months"].label, FACTS["rural_months"].unit) == ("乡村工作经历", "个月")


def test_ladders_compare_the_everyday_way() -> None:
    level, edu, rank = FACTS["leadership_level"], FACTS["education"], FACTS["rank"]
    assert level.height(LeadershipLevel.SECTION) > level.height(LeadershipLevel.DEPUTY_SECTION)
    # Education is declared highest-first; height still grows with the degree.
    heights = [edu.height(member.value) for member in Education]
    assert heights == sorted(heights, reverse=True)
    assert edu.height("doctorate") > edu.height("bachelor") > edu.height("college")
    assert rank.height(Rank.PRINCIPAL_4) > rank.height(Rank.CLERK_1)
    assert level.height("legacy_code") is None


def test_values_are_shown_in_chinese() -> None:
    assert FACTS["age"].show(36) == "36 岁"
    assert FACTS["leadership_level"].show("deputy_section") == "副科"
    assert FACTS["leadership_level"].show("legacy_code") == "legacy_code"
    assert FACTS["unit_tags"].show(()) == "无"
    assert FACTS["unit_is_remote"].show(True) == "是"


def test_docs_list_every_fact_with_its_label() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for spec in FACTS.values():
        assert f"`{spec.name}`" in text and spec.label in text, spec.name
