"""The roster workbook contract: cell normalisation, dates as people type them, headers, row parsing."""

from __future__ import annotations

import datetime as dt

import pytest

from miaopu.domain.roster import (
    CADRES,
    EXPERIENCE,
    SHEETS,
    UNITS,
    DateError,
    column_letter,
    format_cell,
    map_headers,
    normalize_text,
    parse_date,
    parse_row,
    split_list,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  东湖区 ", "东湖区"),
        ("\u3000王\u3000海\u3000", "王\u3000海".replace("\u3000", " ")),
        ("４４０８０２", "440802"),
        ("科员\u200b", "科员"),
        (1001.0, "1001"),
        (None, ""),
        (True, "是"),
        (dt.date(2024, 1, 5), "2024-01-05"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_full_width_letters_are_kept():
    """Only digits and spaces are folded: a name typed in full-width letters stays as typed."""
    assert normalize_text("ＡＢＣ公司") == "ＡＢＣ公司"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.date(2020, 3, 4), dt.date(2020, 3, 4)),
        (dt.datetime(2020, 3, 4, 0, 0), dt.date(2020, 3, 4)),
        (45292, dt.date(2024, 1, 1)),  # Excel serial
        (45292.0, dt.date(2024, 1, 1)),
        ("2024-01-05", dt.date(2024, 1, 5)),
        ("2024.01.05", dt.date(2024, 1, 5)),
        ("2024/1/5", dt.date(2024, 1, 5)),
        ("2024.01", dt.date(2024, 1, 1)),
        ("2024.1", dt.date(2024, 1, 1)),
        ("2024-10", dt.date(2024, 10, 1)),
        ("202401", dt.date(2024, 1, 1)),
        (202401, dt.date(2024, 1, 1)),
        ("20240105", dt.date(2024, 1, 5)),
        ("2024年1月5日", dt.date(2024, 1, 5)),
        ("2024年10月", dt.date(2024, 10, 1)),
        ("２０２４．０１．０５", dt.date(2024, 1, 5)),
        (" 2024 . 01 ", dt.date(2024, 1, 1)),
        ("2024-01-05 00:00:00", dt.date(2024, 1, 5)),
        (2024.05, dt.date(2024, 5, 1)),  # 2024.05 typed into a number cell
        (2024.12, dt.date(2024, 12, 1)),
        (2024.3, dt.date(2024, 3, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date_accepts_what_people_type(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("2024.13", "月份应为 1–12"),
        ("2023-02-29", "没有 29 日"),
        ("去年", "不是有效日期"),
        (2024, "只有年份"),
        ("2024", "不是有效日期"),
        (2024.1, "2024.10"),  # Excel dropped the trailing zero: January or October?
        (-5, "不是有效日期"),
        (True, "不是日期"),
    ],
)
def test_parse_date_refuses_with_a_reason(raw, fragment):
    with pytest.raises(DateError) as exc:
        parse_date(raw)
    assert fragment in str(exc.value)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_headers_any_order_extra_ignored_required_missing():
    headers = map_headers(CADRES, ["备注", "姓名*", " 性别 ", "出生日期（YYYY-MM-DD）", "人员编号", "姓名"])
    assert headers.index["name"] == 1 and headers.index["gender"] == 2 and headers.index["birth_date"] == 3
    assert headers.unknown == [(0, "备注")]
    assert headers.duplicates == [(5, "姓名")]
    assert {c.header for c in headers.missing} == {"政治面貌", "现工作单位"}


def test_every_sheet_has_unique_headers_and_fields():
    for spec in SHEETS:
        assert len(set(spec.headers)) == len(spec.headers)
        assert len({c.field for c in spec.columns}) == len(spec.columns)


def _row(spec, values: dict, number: int = 2):
    headers = map_headers(spec, list(values))
    return parse_row(spec, headers, number, list(values.values()))


def test_parse_row_reads_labels_and_reports_each_bad_cell():
    row = _row(
        CADRES,
        {
            "人员编号": "MP00000001",
            "姓名": " 王海 ",
            "性别": "男",
            "出生日期": "1995.09.01",
            "政治面貌": "党员",  # an alias of 中共党员
            "现工作单位": "东湖区青石镇",
            "全日制学历": "本科",
            "干部来源": "外星人",
            "入党时间": "2015.13",
            "专业特长": "写作;调研、 信访 ",
        },
    )
    assert row.values["name"] == "王海" and row.values["gender"] == "male"
    assert row.values["birth_date"] == dt.date(1995, 9, 1)
    assert row.values["political_status"] == "cpc" and row.values["fulltime_education"] == "bachelor"
    assert row.values["specialties"] == "写作、调研、信访"
    assert {e.field for e in row.errors} == {"source", "party_join_date"}
    source_error = next(e for e in row.errors if e.field == "source")
    assert "选调生" in source_error.message  # the message lists what may be typed


def test_parse_row_defaults_and_required():
    row = _row(CADRES, {"身份证号": "", "姓名": "", "性别": "男", "出生日期": "1995-01-01", "民族": "", "状态": ""})
    assert row.values["ethnicity"] == "汉族" and row.values["status"] == "active"
    messages = {e.field: e.message for e in row.errors}
    assert "姓名不能为空" in messages["name"]
    assert "人员编号或身份证号" in messages["code"]


def test_blank_rows_are_skipped():
    assert _row(EXPERIENCE, {"人员编号": "", "起始时间": None, "单位": "  "}) is None


def test_id_number_typed_as_number_is_refused():
    row = _row(CADRES, {"身份证号": 4.40802199509011e17, "姓名": "王海"})
    assert any("文本" in e.message for e in row.errors if e.field == "id_number")


def test_id_number_is_normalised():
    row = _row(CADRES, {"身份证号": "４４０８０２１９９５０９０１００１ｘ"})
    assert row.values["id_number"] == "44080219950901001X"


def test_too_long_text():
    row = _row(UNITS, {"单位名称": "长" * 101, "单位层级": "镇"})
    assert "最多 100 个字" in row.errors[0].message
    assert row.values["level"] == "town"


def test_format_cell_writes_labels():
    assert format_cell(CADRES.column("gender"), "female") == "女"
    assert format_cell(UNITS.column("is_remote"), False) == "否"
    assert format_cell(CADRES.column("post_title"), "") is None
    assert format_cell(UNITS.column("tags"), "乡村振兴;项目建设") == "乡村振兴、项目建设"


def test_split_list():
    assert split_list("写作、调研;信访；法律,，") == ["写作", "调研", "信访", "法律"]


def test_the_documentation_lists_every_column():
    """docs/roster-format.md is the public contract: it must name every sheet and column the code reads."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "roster-format.md").read_text("utf-8")
    for spec in SHEETS:
        assert f"### {spec.name}" in text
        for column in spec.columns:
            assert f"| {column.header} |" in text, column.header
