"""``miaopu match``: what a user running it on a problem file sees, and the exit status a script relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from miaopu.domain.matching import Result

PROBLEM = {
    "candidates": [{"id": "c1", "name": "张三"}, {"id": "c2"}, {"id": "c3"}],
    "slots": [
        {"id": "s1", "capacity": 1, "region": "三水区"},
        {"id": "s2", "capacity": 2, "region": "高明区"},
    ],
    "scores": [
        {"candidate": "c1", "slot": "s1", "score": 90},
        {"candidate": "c1", "slot": "s2", "score": 80},
        {"candidate": "c2", "slot": "s1", "score": 85},
        {"candidate": "c3", "slot": "s2", "score": 60.5},
        {"candidate": "c2", "slot": "s2", "score": 70},
    ],
}


def write(tmp_path: Path, data: object, name: str = "problem.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("match", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_optimal_plan_is_written_to_the_result_file(tmp_path: Path) -> None:
    result_path = tmp_path / "result.json"
    code, out, _ = run(str(write(tmp_path, PROBLEM)), "-o", str(result_path))
    assert code == 0
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["status"] == "optimal" and result["proven"] is True
    assert result["assigned"] == 3 and result["total_score"] == 225.5
    assert {(a["candidate"], a["slot"]) for a in result["assignments"]} == {("c1", "s2"), ("c2", "s1"), ("c3", "s2")}
    assert "最优方案（已证明）：安排 3 人，总分 225.5" in out


def test_without_output_file_stdout_is_clean_json(tmp_path: Path) -> None:
    code, out, err = run(str(write(tmp_path, PROBLEM)))
    assert code == 0
    assert json.loads(out)["assigned"] == 3
    assert "最优方案" in err


def test_bad_file_exits_2_naming_field_and_entry(tmp_path: Path) -> None:
    data = json.loads(json.dumps(PROBLEM))
    data["scores"][4]["slot"] = "s99"
    code, out, err = run(str(write(tmp_path, data)))
    assert code == 2
    assert 'scores[4].slot: 未知的岗位 "s99"' in err
    assert out == ""


def test_missing_file_and_broken_json_exit_2(tmp_path: Path) -> None:
    code, _, err = run(str(tmp_path / "nope.json"))
    assert code == 2 and "找不到问题文件" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"candidates": [', encoding="utf-8")
    code, _, err = run(str(broken))
    assert code == 2 and "不是有效的 JSON" in err


def test_infeasible_exits_1_with_the_diagnosis(tmp_path: Path) -> None:
    data = {**PROBLEM, "quotas": [{"regions": ["三水区"], "min": 2}]}
    result_path = tmp_path / "result.json"
    code, _, err = run(str(write(tmp_path, data)), "-o", str(result_path))
    assert code == 1
    assert "三水区 至少 2 人，但三水区的岗位容量合计只有 1 个" in err
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert (
        result["status"] == "infeasible" and result["diagnosis"] == "三水区 至少 2 人，但三水区的岗位容量合计只有 1 个"
    )


def test_time_limit_without_proof_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from miaopu.apps.core.management.commands import match

    monkeypatch.setattr(match, "solve", lambda *a, **k: Result(status="feasible", solver="cp_sat", assigned=3))
    code, out, err = run(str(write(tmp_path, PROBLEM)))
    assert code == 3
    assert json.loads(out)["proven"] is False
    assert "未能证明它最优" in err


def test_console_script_exit_statuses(tmp_path: Path) -> None:
    """The real ``miaopu`` entry point: statuses survive manage.py, so shell scripts can branch on them."""
    good = write(tmp_path, PROBLEM)
    bad = write(tmp_path, {**PROBLEM, "mode": "swap"}, "bad.json")
    command = [sys.executable, "-c", "from miaopu.cli import main; main()", "match"]
    ok = subprocess.run([*command, str(good)], capture_output=True, text=True, check=False)
    wrong = subprocess.run([*command, str(bad)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and json.loads(ok.stdout)["status"] == "optimal"
    assert wrong.returncode == 2 and 'mode: 应为 "assign" 或 "two-way"，而不是 "swap"' in wrong.stderr
