"""A 100,000-cadre roster import started from the page, in a real browser, against running instances.

    python bench/bench_import_page.py --base http://127.0.0.1:8101 --follow http://127.0.0.1:8102 \\
        --root 示范市 [--cadres 100000] [--shots /tmp/shots]

Uploads the bench workbook (bench_import.synthesise: N cadres × 3 experience rows under the given root unit)
through /exchange/roster/import/ as the demo ``orgdept`` account in headless Chromium, waits for the job's
page and its progress bar to move, **closes the page** while the job runs, then opens 我的任务 later (on the
other instance, when ``--follow`` is given) and waits for the job to finish. Prints what it saw, with times;
screenshots go to ``--shots``. Needs the instances, a worker and Debian's chromium.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

PASSWORD = "Miaopu@2026"


def synthesise(root: str, cadres: int) -> bytes:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaopu.config.settings.dev")
    from bench_import import synthesise as make  # the same deterministic workbook as bench_import.py

    return make(root, cadres, 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="http://127.0.0.1:8101")
    parser.add_argument("--follow", default="", help="another instance to come back to (default: --base)")
    parser.add_argument("--root", default="示范市", help="name of the root unit of the running system")
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--shots", default="", help="folder for screenshots")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--workbook", default="", help="keep the generated workbook here (and reuse it next time)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="miaopu-import-page-"))
    workbook = Path(args.workbook) if args.workbook else folder / f"名册-{args.cadres}.xlsx"
    if workbook.exists():
        data = workbook.read_bytes()
    else:
        data = synthesise(args.root, args.cadres)
        workbook.write_bytes(data)
    print(f"workbook: {args.cadres:,} cadres, {len(data) / 1e6:.1f} MB, made in {time.monotonic() - started:.1f} s")
    shots = Path(args.shots) if args.shots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("MIAOPU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.goto(args.base + "/login/")
        page.fill("input[name=username]", "orgdept")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")  # not the language buttons of the top bar
        page.goto(args.base + "/exchange/roster/import/")
        page.set_input_files("input[name=file]", str(workbook))
        sent = time.monotonic()
        page.click("form[data-upload] button[type=submit]")
        page.wait_for_url(re.compile(r".*/jobs/\d+/$"), timeout=args.timeout * 1000)
        job_url = page.url
        print(f"job page after {time.monotonic() - sent:.1f} s: {job_url}")
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len({s for s in seen if s[1]}) < 3:
            stage = page.inner_text("[data-job-stage]")
            value = page.get_attribute("[data-job-bar]", "value")
            count = page.inner_text("[data-job-count]")
            if not seen or seen[-1] != (stage, value, count):
                seen.append((stage, value, count))
                print(f"  {time.monotonic() - sent:6.1f} s  {stage}  {value or '…'}%  {count}")
            time.sleep(0.5)
        if shots:
            page.screenshot(path=str(shots / "import-progress.png"), full_page=True)
        page.close()  # the user closes the page while the job runs
        print(f"page closed after {time.monotonic() - sent:.1f} s")
        time.sleep(5)
        back = context.new_page()
        base = args.follow or args.base
        final = ""
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            back.goto(base + "/jobs/")
            final = back.inner_text("#job-list tbody tr:first-child")
            if "已完成" in final or "失败" in final:
                break
            time.sleep(3)
        print(f"我的任务 on {base} after {time.monotonic() - sent:.1f} s: {' '.join(final.split())}")
        back.goto(base + job_url[len(args.base) :])
        message = back.inner_text("[data-job-message]")
        print(f"job message: {message}")
        if shots:
            back.screenshot(path=str(shots / "import-finished.png"), full_page=True)
        browser.close()
    shutil.rmtree(folder, ignore_errors=True)
    return 0 if "已完成" in final else 1


if __name__ == "__main__":
    sys.exit(main())
