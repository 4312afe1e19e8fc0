"""The readiness list (ready now / within 6 months, per unit) and attachments (checked by bytes, scoped downloads)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from miaopu.apps.assessments.models import Assessment, AssessmentCycle
from miaopu.apps.growth.models import Attachment, GrowthEntry, Punishment, Talk
from miaopu.domain.dates import add_months

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranks(city):
    today = dt.date.today()
    c = city.cadres
    setups = {"town_a": -25, "village_a": -21, "district_b": -25}
    for key, months in setups.items():
        cadre = c[key]
        cadre.rank, cadre.rank_since = "clerk_1", add_months(today, months)
        cadre.save()
    for year in range(today.year - 3, today.year):
        cycle = AssessmentCycle.objects.create(kind="annual", year=year, name=f"{year} 年度考核", scope_unit=city.root)
        for key in setups:
            Assessment.objects.create(
                cycle=cycle,
                cadre=c[key],
                kind="annual",
                year=year,
                grade="competent",
                assessed_on=dt.date(year + 1, 1, 10),
            )
    Punishment.objects.create(
        cadre=c["district_b"],
        date=today - dt.timedelta(days=30),
        kind="demerit",
        description="记过",
        blocks_until=add_months(today, 12),
    )
    return today


def test_ready_now_and_within_six_months_per_unit(city, ranks, client_for):
    response = client_for("orgdept").get(f"/growth/readiness/?unit={city.root.pk}")
    assert response.status_code == 200
    ready = [r.name for r in response.context["ready"]]
    soon = [(r.name, [t.ready_on for t in r.answer.tracks]) for r in response.context["soon"]]
    # 林晓明: 正科 since 2021-03, 5+ years of service, 2 years in a village → ready for 副处 (3 years as 正科)
    assert ready == ["林晓明", "王海"]
    assert soon == [("李娜", [add_months(city.cadres["village_a"].rank_since, 24)])]
    text = response.content.decode()
    assert "一级科员 → 四级主任科员：已具备" in text and "东湖区青石镇" in text and "正科 → 副处：已具备" in text
    assert "周婷" not in text  # punished: no promotion while the punishment is in effect
    api = client_for("orgdept").get(f"/api/growth/readiness/?unit={city.root.pk}").json()
    statuses = {row["name"]: {t["track"]: t["status"] for t in row["tracks"]} for row in api}
    assert statuses == {
        "林晓明": {"rank": "unknown", "level": "ready"},
        "王海": {"rank": "ready"},
        "李娜": {"rank": "soon"},
    }


def test_the_file_shows_the_readiness_with_reasons_to_orgdept_only(city, ranks, client_for):
    pk = city.cadres["district_b"].pk
    text = client_for("orgdept").get(f"/growth/cadres/{pk}/").content.decode()
    assert "晋升条件" in text and "受记过，影响期至" in text
    assert "晋升条件" not in client_for("officer_b").get(f"/growth/cadres/{pk}/").content.decode()


# ---------------------------------------------------------------- attachments

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_upload_checks_type_by_bytes_and_size(files, media, client_for):
    city = files.city
    entry = GrowthEntry.objects.filter(cadre=city.cadres["town_b"]).first()
    client = client_for("officer_b")
    url = f"/growth/entry/{entry.pk}/attachments/"
    client.post(url, {"file": SimpleUploadedFile("报告.pdf", PDF, "application/pdf")})
    attachment = Attachment.objects.get()
    assert attachment.name == "报告.pdf" and attachment.content_type == "application/pdf"
    assert "报告" not in attachment.file.name and attachment.file.name.endswith(".pdf")  # stored under a random name
    fake = client.post(
        url, {"file": SimpleUploadedFile("照片.png", b"MZ\x90\x00 not an image", "image/png")}, follow=True
    )
    assert "内容与扩展名不符" in fake.content.decode()
    exe = client.post(
        url, {"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/octet-stream")}, follow=True
    )
    assert "类型不能上传" in exe.content.decode()
    big = client.post(
        url, {"file": SimpleUploadedFile("大文件.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")}, follow=True
    )
    assert "不能超过 10 MB" in big.content.decode()
    assert Attachment.objects.count() == 1


def test_attachment_downloads_follow_the_records_visibility(files, media, client_for):
    city = files.city
    zhao = city.cadres["town_b"]
    orgdept = client_for("orgdept")
    entry = GrowthEntry.objects.filter(cadre=zhao).first()
    talk = Talk.objects.get(cadre=zhao)
    orgdept.post(f"/growth/entry/{entry.pk}/attachments/", {"file": SimpleUploadedFile("实绩.pdf", PDF)})
    orgdept.post(f"/growth/talk/{talk.pk}/attachments/", {"file": SimpleUploadedFile("谈话记录.pdf", PDF)})
    on_entry = Attachment.objects.get(entry=entry)
    on_talk = Attachment.objects.get(talk=talk)
    response = client_for("mentor").get(f"/growth/attachments/{on_entry.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    for role in ("mentor", "officer_b", "cadre", "orgdept_a"):
        assert client_for(role).get(f"/growth/attachments/{on_talk.pk}/").status_code == 404, role
        assert client_for(role).post(
            f"/growth/talk/{talk.pk}/attachments/", {"file": SimpleUploadedFile("x.pdf", PDF)}
        ).status_code in (403, 404)
    assert orgdept.get(f"/growth/attachments/{on_talk.pk}/").status_code == 200
    assert client_for("orgdept_a").get(f"/growth/attachments/{on_entry.pk}/").status_code == 404
    assert Attachment.objects.count() == 2
