"""任免审批表 (.lrmx) files: parse, build, JianLi text, and refusal of XML entity tricks."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from miaopu.domain.lrmx import (
    FamilyMember,
    JianLiEntry,
    LrmxError,
    LrmxPerson,
    build_lrmx,
    format_jianli,
    image_type,
    parse_jianli,
    parse_lrmx,
    parse_month,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

OFFICIAL = """<?xml version="1.0" encoding="UTF-8"?>
<Person>
  <XingMing>张三</XingMing>
  <XingBie>男</XingBie>
  <ChuShengNianYue>199001</ChuShengNianYue>
  <MinZu>汉族</MinZu>
  <JiGuan>广东湛江</JiGuan>
  <ChuShengDi>广东湛江</ChuShengDi>
  <RuDangShiJian>2012.06</RuDangShiJian>
  <CanJiaGongZuoShiJian>201207</CanJiaGongZuoShiJian>
  <JianKangZhuangKuang>健康</JianKangZhuangKuang>
  <QuanRiZhiJiaoYu_XueLi>大学</QuanRiZhiJiaoYu_XueLi>
  <QuanRiZhiJiaoYu_XueWei>法学学士</QuanRiZhiJiaoYu_XueWei>
  <QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>华南农业大学法学专业</QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi>
  <XianRenZhiWu>东湖区青石镇党政办主任</XianRenZhiWu>
  <JianLi>2008.09--2012.07  华南农业大学法学专业学习
2012.07--2016.08  东湖区青石镇科员
　　　　　　　　　（其间：2013.09--2015.07在中央党校在职研究生学习）
2016.08--        东湖区青石镇党政办主任
另附：获评优秀共产党员</JianLi>
  <JiaTingChengYuan>
    <Item><ChengWei>父亲</ChengWei><XingMing>张大</XingMing><ChuShengRiQi>196503</ChuShengRiQi>
      <ZhengZhiMianMao>群众</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>务农</GongZuoDanWeiJiZhiWu></Item>
    <Item><ChengWei></ChengWei><XingMing></XingMing></Item>
  </JiaTingChengYuan>
  <ShenFenZheng>440802199001010011</ShenFenZheng>
  <ZhaoPian>{photo}</ZhaoPian>
  <Version>3.2.1.16</Version>
</Person>
"""


def test_parse_official_file():
    person = parse_lrmx(OFFICIAL.format(photo=base64.b64encode(PNG).decode()).encode())
    assert person.name == "张三" and person.birth == "199001" and person.work_start == "201207"
    assert person.fulltime_degree == "法学学士"
    assert person.id_number == "440802199001010011"
    assert person.photo == PNG and image_type(person.photo) == "image/png"
    assert person.family == [FamilyMember("父亲", "张大", "196503", "群众", "务农")]  # the empty item is dropped
    assert person.version == "3.2.1.16" and not person.warnings


def test_build_then_parse_is_lossless():
    person = LrmxPerson(
        name="李娜",
        gender="女",
        birth="199801",
        resume=format_jianli([JianLiEntry(dt.date(2020, 8, 1), None, "青石镇红旗村党支部副书记\n（其间：挂职）")]),
        rewards="2023年度优秀\n2024年度称职",
        photo=PNG,
        family=[FamilyMember("母亲", "王芳", "1970.05", "中共党员", "示范市第一中学教师 & <校长>")],
        extension={"code": "MP00000009", "birth_date": "1998-01-12"},
        extension_experience=[{"start": "2020-08-03", "end": "", "unit": "青石镇红旗村", "kind": "任职"}],
    )
    again = parse_lrmx(build_lrmx(person))
    assert again == person


def test_build_without_extension_omits_it():
    person = LrmxPerson(name="甲", extension={"code": "X"})
    assert b"MiaopuKuoZhan" not in build_lrmx(person, extension=False)
    assert parse_lrmx(build_lrmx(person, extension=False)).extension == {}


@pytest.mark.parametrize(
    "payload",
    [
        # billion laughs
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<Person><XingMing>&lol2;</XingMing></Person>",
        # external entity (file disclosure)
        '<?xml version="1.0"?><!DOCTYPE Person [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<Person><XingMing>&xxe;</XingMing></Person>",
        # a DTD alone is refused too
        '<?xml version="1.0"?><!DOCTYPE Person SYSTEM "http://example.invalid/x.dtd"><Person/>',
    ],
)
def test_entity_tricks_are_refused(payload):
    with pytest.raises(LrmxError, match="DOCTYPE"):
        parse_lrmx(payload.encode())


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [(b"not xml at all", "不是有效的 XML"), (b"<Root/>", "根元素应为 <Person>")],
)
def test_not_a_form(payload, fragment):
    with pytest.raises(LrmxError, match=fragment):
        parse_lrmx(payload)


def test_bad_photo_is_a_warning_not_a_failure():
    person = parse_lrmx(b"<Person><XingMing>a</XingMing><ZhaoPian>!!notbase64!!</ZhaoPian></Person>")
    assert person.photo == b"" and "Base64" in person.warnings[0]
    person = parse_lrmx(b"<Person><ZhaoPian>" + base64.b64encode(b"plain text") + b"</ZhaoPian></Person>")
    assert person.photo == b"" and "图片" in person.warnings[0]


def test_jianli_entries_continuations_open_ends_and_unparsed_lines():
    parsed = parse_jianli(
        "2008.09--2012.07  华南农业大学法学专业学习\n"
        "2012.07—2016.08 东湖区青石镇科员\n"
        "　　　　　　（其间：2013.09--2015.07在职研究生学习）\n"
        "      2014.01--2014.06 跟岗学习\n"
        "2016.8--至今  党政办主任\n"
        "2020.01--        东湖区青石镇红旗村第一书记（挂职）\n"
        "\n"
        "另附：获评优秀共产党员\n"
        "2021.13--2022.01 月份写错了\n"
    )
    assert [(e.start, e.end) for e in parsed.entries] == [
        (dt.date(2008, 9, 1), dt.date(2012, 7, 1)),
        (dt.date(2012, 7, 1), dt.date(2016, 8, 1)),
        (dt.date(2016, 8, 1), None),
        (dt.date(2020, 1, 1), None),
    ]
    assert (
        parsed.entries[1].text
        == "东湖区青石镇科员\n（其间：2013.09--2015.07在职研究生学习）\n2014.01--2014.06 跟岗学习"
    )
    assert parsed.entries[2].text == "党政办主任"
    assert parsed.unparsed == ["另附：获评优秀共产党员", "2021.13--2022.01 月份写错了"]


def test_jianli_format_then_parse_round_trip():
    entries = [
        JianLiEntry(dt.date(2012, 7, 1), dt.date(2016, 8, 1), "东湖区青石镇科员\n（其间：挂职）"),
        JianLiEntry(dt.date(2016, 8, 1), None, "东湖区青石镇党政办主任"),
    ]
    text = format_jianli(entries)
    assert text.splitlines()[0] == "2012.07--2016.08  东湖区青石镇科员"
    assert text.splitlines()[2].startswith("2016.08--         东湖区")
    assert parse_jianli(text).entries == entries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("199205", dt.date(1992, 5, 1)),
        ("1992.05", dt.date(1992, 5, 1)),
        ("1992.5", dt.date(1992, 5, 1)),
        ("19920517", dt.date(1992, 5, 17)),
        ("1992-05-17", dt.date(1992, 5, 17)),
        ("1992年5月", dt.date(1992, 5, 1)),
        ("民盟", None),
        ("", None),
        ("199213", None),
    ],
)
def test_parse_month(text, expected):
    assert parse_month(text) == expected
