"""A pool's list as a workbook (the roster officers print and pass upwards)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from miaopu.apps.exchange.xlsx import Sheet, write_workbook
from miaopu.domain.dates import age_on

from .models import PoolEntry

HEADER = [
    "姓名",
    "人员编号",
    "性别",
    "出生日期",
    "年龄",
    "现工作单位",
    "现任职务",
    "职务层次",
    "职级",
    "分级",
    "分类",
    "来源",
    "入库日期",
    "入库理由",
    "来源批次",
    "出库日期",
    "出库原因",
]
WIDTHS = [10, 14, 6, 12, 6, 28, 20, 10, 14, 8, 10, 10, 12, 40, 24, 12, 24]


def pool_rows(entries: QuerySet[PoolEntry], today: dt.date | None = None) -> list[list[Any]]:
    today = today or dt.date.today()
    rows: list[list[Any]] = [HEADER]
    for e in entries.select_related("cadre", "cadre__unit", "source_batch").iterator(chunk_size=2000):
        c = e.cadre
        rows.append(
            [
                c.name,
                c.code,
                c.get_gender_display(),
                c.birth_date,
                age_on(c.birth_date, today),
                c.unit.name,
                c.post_title,
                c.get_leadership_level_display(),
                c.get_rank_display(),
                e.get_tier_display(),
                e.get_category_display(),
                e.get_source_display(),
                e.date,
                e.reason,
                e.source_batch.name if e.source_batch_id else "",
                e.exit_date,
                e.exit_reason,
            ]
        )
    return rows


def pool_workbook(entries: QuerySet[PoolEntry], title: str) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, [Sheet(name=_("名单"), rows=pool_rows(entries), widths=WIDTHS)], title=title)
    return buffer.getvalue()
