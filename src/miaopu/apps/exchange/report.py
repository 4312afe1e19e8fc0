"""The import report: every problem found, where it is, and what was (or would be) written.

The same report object is printed by the CLI, shown on the upload page, offered as a workbook and
kept (counts only) in the audit record, so a clerk sees one wording everywhere.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

#: ``progress(stage, done, total)``: called while importing so a CLI bar or a job runner can follow along.
Progress = Callable[[str, int, int], None]

ERROR = "error"
WARNING = "warning"


@dataclass
class Issue:
    """One problem: ``干部!H57 身份证号 "11010519491231002Y" 校验位错误：应为 X``."""

    sheet: str
    row: int | None = None
    column: str = ""  # column letter as Excel shows it
    header: str = ""
    value: str = ""
    message: str = ""
    level: str = ERROR

    @property
    def location(self) -> str:
        if self.row is None:
            return self.sheet
        if self.column:
            return f"{self.sheet}!{self.column}{self.row}"
        return _("%(sheet)s 第 %(row)s 行") % {"sheet": self.sheet, "row": self.row}

    def __str__(self) -> str:
        parts = [self.location]
        if self.header:
            parts.append(self.header)
        if self.value:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "…"
            parts.append(f'"{shown}"')
        parts.append(self.message)
        text = " ".join(parts)
        return text if self.level == ERROR else _("提示：") + text


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class ImportReport:
    file_name: str
    kind: str = "roster"  # "roster" | "lrmx"
    sha256: str = ""
    dry_run: bool = False
    issues: list[Issue] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)
    written: bool = False
    audit_id: int | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_changes(self) -> int:
        return sum(c.changed for c in self.counts.values())

    def error(self, sheet: str, message: str, **where: Any) -> None:
        self.issues.append(Issue(sheet=sheet, message=message, level=ERROR, **where))

    def warn(self, sheet: str, message: str, **where: Any) -> None:
        self.issues.append(Issue(sheet=sheet, message=message, level=WARNING, **where))

    def count(self, sheet: str) -> Counts:
        return self.counts.setdefault(sheet, Counts())

    def summary(self) -> str:
        """One paragraph for the top of the page and the end of the CLI output."""
        if self.errors:
            return _("发现 %(n)s 处错误，未导入任何数据。请按下列提示修改后重新导入。") % {"n": len(self.errors)}
        parts = []
        for sheet, c in self.counts.items():
            piece = _("%(sheet)s：新增 %(c)s，修改 %(u)s，未变 %(k)s") % {
                "sheet": sheet,
                "c": c.created,
                "u": c.updated,
                "k": c.unchanged,
            }
            if c.deleted:
                piece += _("，删除 %(d)s") % {"d": c.deleted}
            parts.append(piece)
        head = _("检查通过（试导入，未写入数据库）。") if self.dry_run else _("导入完成。")
        if not self.dry_run and self.total_changes == 0:
            head = _("导入完成：数据与系统中一致，没有任何修改。")
        return head + ("；".join(parts) + "。" if parts else "")

    def lines(self) -> list[str]:
        return [str(issue) for issue in self.issues]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        data = dict(data)
        data["issues"] = [Issue(**i) for i in data.get("issues", [])]
        data["counts"] = {k: Counts(**v) for k, v in data.get("counts", {}).items()}
        return cls(**data)

    def audit_detail(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "kind": self.kind,
            "counts": {k: asdict(v) for k, v in self.counts.items()},
            "changes": self.total_changes,
            "warnings": len(self.warnings),
        }

    def workbook_bytes(self) -> bytes:
        """The report as a workbook (问题 + 汇总), for the download button on the upload page."""
        from .xlsx import Sheet, write_workbook

        level_label = {ERROR: _("错误"), WARNING: _("提示")}
        problems = [[_("级别"), _("位置"), _("表"), _("行"), _("列"), _("列名"), _("值"), _("问题")]]
        problems += [
            [level_label[i.level], i.location, i.sheet, i.row, i.column, i.header, i.value, i.message]
            for i in self.issues
        ]
        totals = [[_("表"), _("新增"), _("修改"), _("未变"), _("删除")]]
        totals += [[s, c.created, c.updated, c.unchanged, c.deleted] for s, c in self.counts.items()]
        info = [
            [_("项目"), _("内容")],
            [_("文件"), self.file_name],
            [_("SHA-256"), self.sha256],
            [_("结果"), self.summary()],
        ]
        buffer = io.BytesIO()
        write_workbook(
            buffer,
            [
                Sheet(_("问题"), problems, widths=(6, 14, 8, 6, 5, 16, 24, 60)),
                Sheet(_("汇总"), totals, widths=(10, 8, 8, 8, 8)),
                Sheet(_("文件"), info, widths=(10, 80)),
            ],
            title=_("导入报告"),
        )
        return buffer.getvalue()
