"""The Foshan-style batch profile (seed 004): 15 + 15, average age 33.8, 7 non-party, 3 women, 7 + 4 of 15.

Built through the real services: a 双向挂职 batch of 15 mirrored pairs (a municipal cadre from organ X to
town T, a town cadre from T to X), the municipal side spread over 三水区 (7), 高明区 (4) and the two
districts of the hand-built city (2 + 2).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from miaopu.apps.analytics import selectors
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import make_cadre, make_unit
from miaopu.apps.programmes import services
from miaopu.apps.programmes.models import ProgrammeTemplate
from miaopu.apps.programmes.selectors import batch_profile

from .conftest import CLEAR, FINDINGS, actor, born

pytestmark = pytest.mark.django_db

A_AGES = [28, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 29, 33, 35]  # 510 → 34.0
B_AGES = [27, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 30, 36, 37]  # 504 → 33.6
A_WOMEN, B_WOMEN = {0, 5}, {3}  # 3 women
A_NON_PARTY, B_NON_PARTY = {1, 2, 3}, {0, 4, 8, 9}  # 7 non-party (群众, 民主党派, 无党派)
NON_PARTY_STATUSES = ["masses", "democratic", "independent"]


@pytest.fixture
def foshan(city):
    root = city.root
    sanshui = make_unit("三水区", "county", root)
    gaoming = make_unit("高明区", "county", root)
    towns = (
        [make_unit(f"三水区{n}镇", "town", sanshui) for n in "一二三四五六七"]
        + [make_unit(f"高明区{n}镇", "town", gaoming) for n in "一二三四"]
        + [city.town_a, city.town_a, city.town_b, city.town_b]
    )
    organs = [make_unit(f"示范市第{n}局", "city", root) for n in "一二三四五"]
    a = actor(city)
    template = ProgrammeTemplate.objects.get(code="two-way")
    batch = services.batch_create(actor=a, template=template, name="2017 年双向挂职", year=2017, as_of=dt.date.today())
    pairs = []
    for i in range(15):
        organ, town = organs[i % 5], towns[i]
        side_a = make_cadre(
            organ, f"市直{i + 1:02d}", born(A_AGES[i]), gender="female" if i in A_WOMEN else "male",
            political_status=NON_PARTY_STATUSES[i % 3] if i in A_NON_PARTY else "cpc",
        )  # fmt: skip
        side_b = make_cadre(
            town, f"基层{i + 1:02d}", born(B_AGES[i]), gender="female" if i in B_WOMEN else "male",
            political_status=NON_PARTY_STATUSES[i % 3] if i in B_NON_PARTY else "cpc",
        )  # fmt: skip
        to_town = services.batch_add_slot(actor=a, batch=batch, unit=town, post_title=f"镇长助理{i}", side="A")
        to_organ = services.batch_add_slot(actor=a, batch=batch, unit=organ, post_title=f"科长助理{i}", side="B")
        pairs.append((side_a, side_b, to_town, to_organ))
    services.batch_evaluate_candidates(actor=a, batch=batch)
    for side_a, side_b, to_town, to_organ in pairs:
        people = []
        for cadre in (side_a, side_b):
            person = batch.candidates.get(cadre=cadre)
            services.candidate_nominate(actor=a, candidate=person)
            services.vetting_record(actor=a, candidate=person, findings=FINDINGS, opinions=CLEAR,
                                    vetted_on=dt.date.today())  # fmt: skip
            person.refresh_from_db()
            people.append(person)
        services.assignment_set(actor=a, candidate=people[0], slot=to_town, partner=people[1], partner_slot=to_organ)
    batch.refresh_from_db()
    return batch


def test_foshan_profile_to_one_decimal(city, foshan):
    profile = batch_profile(user=city.users["orgdept"], batch=foshan)
    assert profile["basis"] == "已确定人选"
    side_a, side_b = profile["lines"]
    assert (side_a.count, side_a.average_age, side_a.women, side_a.non_party) == (15, Decimal("34.0"), 2, 3)
    assert (side_b.count, side_b.average_age, side_b.women, side_b.non_party) == (15, Decimal("33.6"), 1, 4)
    total = profile["total"]
    assert (total.count, total.average_age, total.women, total.non_party) == (30, Decimal("33.8"), 3, 7)
    assert profile["regions"][0] == {"region": "市直", "count": 15, "share": Decimal("50.0")}
    sides = selectors.batch_side_regions(user=city.users["orgdept"], batch=foshan)
    municipal = next(s for s in sides if s["side"] == "A")
    assert municipal["total"] == 15
    assert municipal["regions"][:2] == [
        {"region": "三水区", "count": 7, "share": Decimal("46.7")},
        {"region": "高明区", "count": 4, "share": Decimal("26.7")},
    ]
    assert sum(r["count"] for r in municipal["regions"][:2]) == 11  # 7 + 4 of 15 to the two less developed districts


def test_batch_report_page_and_workbook(city, foshan, client_for):
    client = client_for("orgdept")
    url = f"/analytics/batches/{foshan.pk}/"
    html = client.get(url).content.decode()
    assert "33.8" in html and "34.0" in html and "33.6" in html and "46.7%" in html and "<svg" in html
    before = AuditEvent.objects.filter(action="export").count()
    response = client.get(url + "?format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [tuple(c for c in row) for row in ws.iter_rows(values_only=True)]
    total = next(r for r in rows if r[0] == "合计")
    assert total[1:5] == (30, 33.8, 3, 7)
    assert any(r[0] == "三水区" and r[1] == 7 for r in rows)


def test_batch_report_is_scoped(city, foshan, client_for):
    # A district officer sees only the figures of their own cadres (2 from 东湖区's 青石镇 on side B).
    mine = batch_profile(user=city.users["orgdept_a"], batch=foshan)
    assert mine["total"].count == 2
    assert client_for("officer_b").get(f"/analytics/batches/{foshan.pk}/").status_code == 403
    assert client_for("mentor").get(f"/analytics/batches/{foshan.pk}/").status_code == 403
