"""The exchange pages: upload with the report on the page and as a workbook, template, exports, permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core.models import AuditEvent
from miaopu.domain.idcard import make_id_number
from miaopu.domain.lrmx import parse_lrmx

from .helpers import read_xlsx, roster

pytestmark = pytest.mark.django_db


def _row(**extra):
    birth = dt.date(1996, 4, 5)
    row = {"人员编号": "NEW001", "姓名": "新人", "性别": "男", "出生日期": birth, "政治面貌": "群众",
           "身份证号": make_id_number("440802", birth, 11), "现工作单位": "东湖区青石镇"}  # fmt: skip
    row.update(extra)
    return row


def _upload(data: bytes, name: str = "名册.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_upload_with_errors_shows_every_line_and_offers_the_report(client_for):
    client = client_for("orgdept")
    page = client.get(reverse("exchange:roster_import"))
    assert page.status_code == 200 and "上传并导入" in page.content.decode()
    bad = roster(cadres=[_row(性别="未知"), _row(人员编号="NEW002", 身份证号=None, 出生日期="1996.13.01")])
    response = client.post(reverse("exchange:roster_import"), {"file": _upload(bad)}, follow=True)
    # The upload became a job; its page shows the report (the test settings run jobs inline).
    job = response.context["job"]
    assert response.redirect_chain == [(reverse("jobs:job_detail", args=[job.pk]), 302)]
    html = response.content.decode()
    assert job.status == "failed" and "发现 2 处错误，未导入任何数据" in html
    assert "干部!C2" in html and "干部!E3" in html
    assert response["Cache-Control"].startswith("no-store")
    assert not Cadre.objects.filter(code="NEW001").exists()
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert download.status_code == 200
    sheets = read_xlsx(b"".join(download.streaming_content))
    assert [r[1] for r in sheets["问题"][1:]] == ["干部!C2", "干部!E3"]
    # The report belongs to its owner only.
    assert client_for("orgdept_a").get(reverse("jobs:job_download", args=[job.pk])).status_code == 404


def test_upload_ok_and_dry_run(client_for):
    client = client_for("orgdept")
    data = roster(cadres=[_row()])
    response = client.post(reverse("exchange:roster_import"), {"file": _upload(data), "dry_run": "on"}, follow=True)
    assert response.status_code == 200 and "试导入" in response.content.decode()
    assert not Cadre.objects.filter(code="NEW001").exists()
    response = client.post(reverse("exchange:roster_import"), {"file": _upload(data)}, follow=True)
    assert "导入完成" in response.content.decode() and Cadre.objects.filter(code="NEW001").exists()
    event = AuditEvent.objects.filter(action="import").latest("id")
    assert event.source == "web" and event.detail["file"] == "名册.xlsx"


def test_the_same_form_sent_twice_imports_once(client_for):
    """The form's idempotency key: a double click or a retried request gives the first job, not a second import."""
    client = client_for("orgdept")
    page = client.get(reverse("exchange:roster_import"))
    key = page.context["form"].initial["key"]
    data = roster(cadres=[_row()])
    first = client.post(reverse("exchange:roster_import"), {"file": _upload(data), "key": key})
    second = client.post(reverse("exchange:roster_import"), {"file": _upload(data), "key": key})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert AuditEvent.objects.filter(action="import").count() == 1
    assert Cadre.objects.filter(code="NEW001").count() == 1


def test_oversize_upload_is_refused_before_reading(client_for, settings):
    settings.MIAOPU = {**settings.MIAOPU, "IMPORT_LIMITS": {"max_file_bytes": 1024}}
    response = client_for("orgdept").post(reverse("exchange:roster_import"), {"file": _upload(b"x" * 5000)})
    assert response.status_code == 422 and "文件太大" in response.content.decode()


@pytest.mark.parametrize("role", ["officer_b", "mentor", "cadre", "sysadmin", "auditor"])
def test_only_orgdept_may_import(client_for, role):
    client = client_for(role)
    assert client.get(reverse("exchange:roster_import")).status_code == 403
    assert client.get(reverse("exchange:lrmx_import")).status_code == 403


def test_template_and_exports(client_for, city):
    client = client_for("officer_b")  # unit officers may export their scope
    template = client.get(reverse("exchange:roster_template"))
    assert template.status_code == 200 and "attachment" in template["Content-Disposition"]
    assert read_xlsx(template.content)["单位"][0][0] == "单位名称"
    export = client.get(reverse("exchange:roster_export"))
    codes = {row[0] for row in read_xlsx(export.content)["干部"][1:]}
    assert codes == {city.cadres["town_b"].code, city.cadres["district_b"].code}
    assert export["Cache-Control"].startswith("no-store")
    assert client.get(reverse("exchange:roster_export") + f"?unit={city.town_a.pk}").status_code == 404
    assert client_for("mentor").get(reverse("exchange:roster_export")).status_code == 403


def test_export_of_the_cadre_list_filter(client_for, city):
    client = client_for("orgdept")
    response = client.get(reverse("exchange:roster_export") + "?from=list&gender=female")
    names = {row[1] for row in read_xlsx(response.content)["干部"][1:]}
    assert names == {"陈静", "李娜", "周婷"}
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.detail["filters"]["gender"] == "female" and event.detail["counts"]["干部"] == 3


def test_cadre_form_downloads(client_for, city):
    client = client_for("orgdept_a")
    cadre = city.cadres["town_a"]
    response = client.get(reverse("exchange:cadre_lrmx", args=[cadre.pk]))
    assert response.status_code == 200 and parse_lrmx(response.content).name == cadre.name
    response = client.get(reverse("exchange:cadre_docx", args=[cadre.pk]))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    other = city.cadres["town_b"]
    assert client.get(reverse("exchange:cadre_lrmx", args=[other.pk])).status_code == 404
    assert client.get(reverse("exchange:cadre_docx", args=[other.pk])).status_code == 404


def test_lrmx_upload_page(client_for, city):
    client = client_for("orgdept")
    data = client.get(reverse("exchange:cadre_lrmx", args=[city.cadres["town_a"].pk])).content
    response = client.post(
        reverse("exchange:lrmx_import"),
        {"files": [_upload(data, "王海.lrmx"), _upload(b"<Person><XingMing>x</XingMing></Person>", "坏.lrmx")]},
    )
    html = response.content.decode()
    assert response.status_code == 422 and "坏.lrmx" in html and "缺少身份证号" in html
    response = client.post(reverse("exchange:lrmx_import"), {"files": [_upload(data, "王海.lrmx")]})
    assert response.status_code == 200 and "没有任何修改" in response.content.decode()


def test_index_page(client_for):
    html = client_for("orgdept").get(reverse("exchange:index")).content.decode()
    assert reverse("exchange:roster_import") in html and reverse("exchange:lrmx_import") in html
    html = client_for("officer_b").get(reverse("exchange:index")).content.decode()
    assert reverse("exchange:roster_import") not in html and reverse("exchange:roster_export") in html


def test_report_download_token_is_checked(client_for):
    client = client_for("orgdept")
    assert client.get("/exchange/report/..%2F..%2Fetc%2Fpasswd.xlsx").status_code == 404
    assert client.get(reverse("exchange:report_download", args=["nope"])).status_code == 404
