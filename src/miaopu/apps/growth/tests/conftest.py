"""A growth file with one record from every source, on cadres every role of ``build_city`` can reach.

``赵强`` (town_b) is visible to 组织部 (city), the 西山县 unit officer and the mentor; ``李娜`` (village_a) to
组织部, the 东湖区 组织部, the 青石镇 unit officer and the cadre herself. Both get a talk and a punishment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from miaopu.apps.assessments.models import Assessment, AssessmentCycle, Review
from miaopu.apps.cadres.models import Experience
from miaopu.apps.growth.models import GrowthEntry, Punishment, Talk
from miaopu.apps.mentoring.models import GuidanceRecord, Mentorship
from miaopu.apps.pools.models import PoolEntry
from miaopu.apps.programmes.models import Batch, Candidate, Placement, ProgrammeTemplate, StageRecord

D = dt.date


@dataclass
class Files:
    city: object
    annual: AssessmentCycle
    placement: Placement


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def files(city) -> Files:
    c = city.cadres
    zhao, li = c["town_b"], c["village_a"]
    orgdept = city.users["orgdept"]
    # 履历 (one written by the placement below, which the timeline shows as the placement instead)
    Experience.objects.create(
        cadre=zhao, start=D(2012, 8, 1), end=D(2019, 12, 31), unit=city.district_b, post_title="科员"
    )
    Experience.objects.create(cadre=zhao, start=D(2020, 1, 1), end=None, unit=city.town_b, post_title="党政办主任")
    # 培养项目: a placement that ended with 优秀, and a stage record
    template = ProgrammeTemplate.objects.get(code="dunmiao")
    version = template.current_version
    batch = Batch.objects.create(
        template=template,
        version=version,
        name="2022 年墩苗第一批",
        year=2022,
        as_of=D(2022, 3, 1),
        scope_unit=city.root,
        status="placed",
    )
    candidate = Candidate.objects.create(
        batch=batch, cadre=zhao, eligible=True, evaluated_on=D(2022, 3, 1), status="placed"
    )
    written = Experience.objects.create(
        cadre=zhao, start=D(2022, 4, 1), end=D(2024, 3, 31), unit=city.town_a, post_title="镇长助理", kind="secondment"
    )
    placement = Placement.objects.create(
        candidate=candidate,
        batch=batch,
        cadre=zhao,
        host_unit=city.town_a,
        post_title="镇长助理",
        kind="secondment",
        start=D(2022, 4, 1),
        planned_end=D(2024, 3, 31),
        actual_end=D(2024, 3, 31),
        status="ended",
        grade="excellent",
        assessed_on=D(2024, 3, 31),
        experience=written,
        assessment_note="期满考核表现突出",
    )
    StageRecord.objects.create(placement=placement, stage="扶苗", theme="独立干", since=D(2023, 4, 1))
    # 导师帮带: the mentor's pairing (from build_city, 2024-01-01) and one guidance record
    ship = Mentorship.objects.get(mentee=zhao)
    GuidanceRecord.objects.create(
        mentorship=ship,
        date=D(2024, 5, 6),
        kind="topic",
        content="专题辅导：乡村产业规划",
        hours=2,
        created_by=city.users["mentor"],
    )
    # 考核 and 分析研判
    annual = AssessmentCycle.objects.create(
        kind="annual", year=2023, name="2023 年年度考核（示范市）", scope_unit=city.root, end=D(2023, 12, 31)
    )
    for cadre in (zhao, li):
        Assessment.objects.create(
            cycle=annual,
            cadre=cadre,
            kind="annual",
            year=2023,
            grade="excellent",
            assessed_on=D(2024, 1, 10),
            score_morality=95,
            comment="实绩突出",
        )
    Review.objects.create(
        cadre=zhao,
        date=D(2024, 6, 1),
        fitness="excellent",
        ability="strong",
        advice="可放到更重要岗位历练",
        recorded_by=orgdept,
    )
    # 人才库
    PoolEntry.objects.create(
        pool="reserve",
        cadre=zhao,
        source="batch",
        date=D(2024, 4, 2),
        reason="墩苗期满考核优秀",
        source_batch=batch,
        source_placement=placement,
        tier="county",
        category="grassroots",
    )
    # 成长记录, 谈心谈话, 惩戒
    for cadre in (zhao, li):
        GrowthEntry.objects.create(
            cadre=cadre,
            kind="achievement",
            date=D(2024, 7, 1),
            title="牵头完成防汛抢险",
            details="转移群众 300 余人",
            source="镇党委",
            author=orgdept,
        )
        GrowthEntry.objects.create(
            cadre=cadre,
            kind="mass_evaluation",
            date=D(2024, 8, 1),
            title="群众满意度测评",
            score=96,
            respondents="驻点村村民",
            respondent_count=42,
            author=orgdept,
        )
        Talk.objects.create(
            cadre=cadre,
            date=D(2024, 9, 1),
            talker="干部科张科长",
            thought_state="fluctuating",
            content="谈话机密内容：家中老人生病",
            problems="照顾老人有困难",
            follow_up="协调调整值班",
            author=orgdept,
        )
        Punishment.objects.create(
            cadre=cadre,
            date=D(2024, 10, 1),
            kind="warning",
            description="处分事由：违反工作纪律",
            blocks_until=D(2025, 4, 1),
            decided_by="县纪委监委",
            author=orgdept,
        )
    return Files(city=city, annual=annual, placement=placement)
