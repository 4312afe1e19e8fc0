"""任免审批表 exchange: export → import is lossless; foreign files create cadres; the Word form has the photo."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied

from miaopu.apps.cadres.models import Cadre, CadreFormInfo, Experience, FamilyMember
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.fields import blind_lookup
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.exchange.lrmx_exchange import cadre_to_person
from miaopu.apps.exchange.services import cadre_docx, cadre_lrmx, lrmx_import
from miaopu.domain.idcard import make_id_number
from miaopu.domain.lrmx import FamilyMember as FormMember
from miaopu.domain.lrmx import build_lrmx, parse_lrmx

from .helpers import database_state

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
TODAY = dt.date(2026, 6, 1)


def _actor(city, role="orgdept"):
    return Actor(user=city.users[role], source="web")


def _dress_up(city) -> Cadre:
    """Give a cadre everything a form can hold: photo, family, form boxes, odd experience entries."""
    cadre = city.cadres["organ"]
    Cadre.objects.filter(pk=cadre.pk).update(
        fulltime_school="华南农业大学", fulltime_major="土地资源管理", fulltime_degree="bachelor",
        inservice_education="master", inservice_degree="master", inservice_school="中共广东省委党校",
        inservice_major="公共管理", specialties="国土规划、调研写作", post_title="规划科科长", hukou="nonlocal",
        party_join_date=dt.date(2013, 6, 18), rank="principal_1", rank_since=dt.date(2022, 5, 9),
    )  # fmt: skip
    Experience.objects.create(
        cadre=cadre, start=dt.date(2010, 9, 6), end=dt.date(2014, 7, 1), unit_name="华南农业大学",
        post_title="土地资源管理专业学习", kind="study", note="（其间：2012.07--2012.08 暑期社会实践）",
    )  # fmt: skip
    CadreFormInfo.objects.create(
        cadre=cadre, birthplace="广东湛江", health="健康", proposed_post="示范市自然资源局副局长",
        rewards="2023年度嘉奖", annual_reviews="2022、2023、2024年度考核均为称职", filled_by="组织部干部科",
        filled_on="202606", photo=PNG, photo_type="image/png", resume_extra="另：2019年获评优秀党员",
    )  # fmt: skip
    FamilyMember.objects.create(cadre=cadre, position=0, relation="父亲", name="林大山", birth="196503",
                                political_status="中共党员", work="湛江市某中学教师（已退休）")  # fmt: skip
    FamilyMember.objects.create(cadre=cadre, position=1, relation="妻子", name="陈小红", birth="1993.02",
                                political_status="群众", work="示范市第一人民医院护士")  # fmt: skip
    cadre.refresh_from_db()
    return cadre


def test_export_then_import_is_lossless(city):
    cadre = _dress_up(city)
    data = cadre_lrmx(actor=_actor(city), cadre=cadre)
    person = parse_lrmx(data)
    assert person.name == cadre.name and person.birth == "199205" and person.photo == PNG
    assert "2010.09--2014.07  华南农业大学土地资源管理专业学习（学习）" in person.resume
    assert person.family[1].name == "陈小红"
    assert AuditEvent.objects.filter(category="access", action="export", object_id=str(cadre.pk)).exists()

    before = database_state()
    report = lrmx_import(actor=_actor(city), files=[("林晓明.lrmx", data)], today=TODAY)
    assert report.ok, report.lines()
    assert report.total_changes == 0, report.counts
    state = database_state()
    assert state[:5] == before[:5] and state[5] == before[5] + 1  # only the import's own audit record

    # Without the extension element (what the official editor keeps) the boxes still come back.
    plain = cadre_lrmx(actor=_actor(city), cadre=cadre, extension=False)
    assert b"MiaopuKuoZhan" not in plain
    report = lrmx_import(actor=_actor(city), files=[("plain.lrmx", plain)], today=TODAY)
    assert report.ok, report.lines()
    cadre.refresh_from_db()
    assert cadre.birth_date == dt.date(1992, 5, 17)  # the day comes from the ID number
    assert cadre.fulltime_school == "华南农业大学" and cadre.fulltime_major == "土地资源管理"


def test_foreign_file_creates_a_cadre_with_history_photo_and_family(city):
    birth = dt.date(1990, 1, 10)
    id_number = make_id_number("440802", birth, 123)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<Person>
  <XingMing>张三</XingMing><XingBie>男</XingBie><ChuShengNianYue>199001</ChuShengNianYue><MinZu>汉族</MinZu>
  <JiGuan>广东湛江</JiGuan><ChuShengDi>广东廉江</ChuShengDi><RuDangShiJian>2011.06</RuDangShiJian>
  <CanJiaGongZuoShiJian>201207</CanJiaGongZuoShiJian><JianKangZhuangKuang>健康</JianKangZhuangKuang>
  <QuanRiZhiJiaoYu_XueLi>大学</QuanRiZhiJiaoYu_XueLi><QuanRiZhiJiaoYu_XueWei>法学学士</QuanRiZhiJiaoYu_XueWei>
  <QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>中山大学法学专业</QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>
  <XianRenZhiWu>东湖区青石镇党政办主任</XianRenZhiWu>
  <NiRenZhiWu>东湖区青石镇副镇长</NiRenZhiWu>
  <JianLi>2008.09--2012.07  中山大学法学专业学习
2012.07--2016.08  东湖区青石镇科员
　　　　　　　　　（其间：2013.09--2015.07在中央党校在职研究生学习）
2016.08--2018.08  青石镇红旗村党支部书记（挂职）
2018.08--        东湖区青石镇党政办主任
获评2020年度优秀公务员</JianLi>
  <JiaTingChengYuan><Item><ChengWei>母亲</ChengWei><XingMing>李四</XingMing><ChuShengRiQi>196602</ChuShengRiQi>
    <ZhengZhiMianMao>群众</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>务农</GongZuoDanWeiJiZhiWu></Item></JiaTingChengYuan>
  <ShenFenZheng>{id_number}</ShenFenZheng>
  <ZhaoPian>{base64.b64encode(PNG).decode()}</ZhaoPian>
  <Version>3.2.1.16</Version>
</Person>"""
    report = lrmx_import(actor=_actor(city), files=[("张三.lrmx", text.encode())], today=TODAY)
    assert report.ok, report.lines()
    assert [str(w) for w in report.warnings] == [
        '提示：张三.lrmx 简历（JianLi） "获评2020年度优秀公务员" 这一行无法识别为“YYYY.MM--YYYY.MM 经历”，已原样保留。'
    ]
    cadre = Cadre.objects.get(blind_lookup("id_number_index", id_number))
    assert cadre.unit == city.town_a and cadre.post_title == "党政办主任"  # the unit from 现任职务
    assert (
        cadre.birth_date == birth and cadre.political_status == "cpc" and cadre.party_join_date == dt.date(2011, 6, 1)
    )
    assert (cadre.fulltime_education, cadre.fulltime_degree) == ("bachelor", "bachelor")
    assert (cadre.fulltime_school, cadre.fulltime_major) == ("中山大学", "法学")
    entries = list(cadre.experiences.order_by("start"))
    assert [(e.unit_id, e.unit_name, e.post_title, e.kind) for e in entries] == [
        (None, "中山大学法学专业学习", "", "posting"),
        (city.town_a.pk, "", "科员", "posting"),
        (city.village_a.pk, "", "党支部书记", "secondment"),
        (city.town_a.pk, "", "党政办主任", "posting"),
    ]
    assert entries[1].note == "（其间：2013.09--2015.07在中央党校在职研究生学习）" and entries[3].end is None
    info = cadre.form_info
    assert bytes(info.photo) == PNG and info.proposed_post == "东湖区青石镇副镇长"
    assert info.resume_extra == "获评2020年度优秀公务员"
    assert list(cadre.family_members.values_list("relation", "name")) == [("母亲", "李四")]
    # Importing the same file again changes nothing.
    again = lrmx_import(actor=_actor(city), files=[("张三.lrmx", text.encode())], today=TODAY)
    assert again.ok and again.total_changes == 0, again.counts


def test_many_files_in_a_zip_all_or_nothing(city):
    good = build_lrmx(cadre_to_person(city.cadres["town_a"]))
    broken = build_lrmx(cadre_to_person(city.cadres["village_a"])).replace(b"<XingBie>", b"<XingBie>?")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("批次/王海.lrmx", good.replace(b"<XianRenZhiWu>", b"<XianRenZhiWu>\xe5\x89\xaf"))
        archive.writestr("批次/李娜.lrmx", broken)
        archive.writestr("批次/说明.txt", "ignored")
    before = database_state()
    report = lrmx_import(actor=_actor(city), files=[("批次.zip", buffer.getvalue())], today=TODAY)
    assert [e.sheet for e in report.errors] == ["李娜.lrmx"] and "性别" in report.errors[0].header
    assert database_state() == before


def test_scope_and_roles(city):
    data = build_lrmx(cadre_to_person(city.cadres["town_b"]))  # 西山县
    report = lrmx_import(actor=_actor(city, "orgdept_a"), files=[("赵强.lrmx", data)], today=TODAY)
    assert "管理范围" in report.errors[0].message
    with pytest.raises(PermissionDenied):
        lrmx_import(actor=_actor(city, "officer_b"), files=[("赵强.lrmx", data)])
    with pytest.raises(PermissionDenied):
        cadre_lrmx(actor=_actor(city, "mentor"), cadre=city.cadres["town_b"])


def test_new_cadre_needs_an_id_number_and_a_unit(city):
    person = cadre_to_person(city.cadres["town_a"], extension=False)
    person.id_number = ""
    report = lrmx_import(actor=_actor(city), files=[("a.lrmx", build_lrmx(person))], today=TODAY)
    assert "缺少身份证号" in report.errors[0].message
    person = cadre_to_person(city.cadres["town_a"], extension=False)
    person.id_number = make_id_number("440802", dt.date(1995, 9, 1), 501)
    person.current_post = "某外市单位科员"
    report = lrmx_import(actor=_actor(city), files=[("b.lrmx", build_lrmx(person))], today=TODAY)
    assert "无法确定现工作单位" in report.errors[0].message
    report = lrmx_import(
        actor=_actor(city), files=[("b.lrmx", build_lrmx(person))], default_unit=city.village_a, today=TODAY
    )
    assert report.ok, report.lines()
    assert Cadre.objects.get(blind_lookup("id_number_index", person.id_number)).unit == city.village_a


def test_docx_form_has_the_boxes_and_the_photo(city):
    from docx import Document

    cadre = _dress_up(city)
    data = cadre_docx(actor=_actor(city), cadre=cadre)
    document = Document(io.BytesIO(data))
    text = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    for expected in ("干部任免审批表", cadre.name, "1992.05", "示范市自然资源局副局长", "陈小红", "简"):
        assert expected in text or expected in "\n".join(p.text for p in document.paragraphs)
    assert "2010.09--2014.07  华南农业大学土地资源管理专业学习（学习）" in text
    assert len(document.inline_shapes) == 1  # the photo
    assert AuditEvent.objects.filter(action="export", detail__format="docx").exists()


def test_form_member_type_is_plain_data():
    assert FormMember("父亲", "甲") == FormMember(relation="父亲", name="甲")


def test_demo_city_lrmx_round_trip_is_exact():
    """Every demo cadre's form, exported and imported back as one batch, changes nothing; a wiped history
    is rebuilt exactly from the files."""
    from miaopu.apps.core.demo import generate
    from miaopu.apps.core.models import User

    generate(cadres=40, seed=5)
    user = User.objects.filter(role="orgdept", scope_unit__parent__isnull=True).first()
    actor = Actor(user=user, source="cli")
    cadres = list(Cadre.objects.select_related("unit").order_by("pk"))
    files = [(f"{c.code}.lrmx", cadre_lrmx(actor=actor, cadre=c)) for c in cadres]
    history = list(Experience.objects.order_by("cadre_id", "start", "id").values_list(
        "cadre_id", "start", "end", "unit_id", "unit_name", "post_title", "kind", "note"))  # fmt: skip
    report = lrmx_import(actor=actor, files=files)
    assert report.ok, report.lines()[:5]
    assert report.total_changes == 0 and report.counts["干部"].unchanged == 40
    Experience.objects.all().delete()
    report = lrmx_import(actor=actor, files=files)
    assert report.ok and report.counts["履历"].created == len(history)
    again = list(Experience.objects.order_by("cadre_id", "start", "id").values_list(
        "cadre_id", "start", "end", "unit_id", "unit_name", "post_title", "kind", "note"))  # fmt: skip
    assert again == history
