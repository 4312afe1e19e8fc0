"""A 组织部 officer logs in, filters the roster, opens a cadre's file and edits it — in a real browser."""

import re

import pytest

from miaopu.apps.core.models import AuditEvent
from miaopu.apps.core.testing import PASSWORD, build_city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def test_list_filter_detail_edit(live_server, page):
    city = build_city()
    login(page, live_server, "orgdept")
    assert page.locator("html").get_attribute("lang").lower() == "zh-hans"
    assert "首页" in page.content()

    page.goto(f"{live_server.url}/cadres/")
    assert page.locator("h1").first.inner_text().strip() == "干部名单"
    rows = page.locator("table tbody tr")
    assert rows.count() == 6  # every active cadre of the hand-built city

    page.select_option("select[name=gender]", "female")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url(re.compile(r".*gender=female.*"))
    names = page.locator("table tbody tr").all_inner_texts()
    assert len(names) == 3 and all("女" in row for row in names)

    page.click("text=李娜")
    page.wait_for_url(re.compile(r".*/cadres/\d+/$"))
    assert "李娜" in page.locator("h1").first.inner_text()
    assert city.cadres["village_a"].id_number not in page.content()  # masked, never in clear

    page.click("text=编辑信息")
    page.fill("input[name=post_title]", "团委书记")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r".*/cadres/\d+/$"))
    assert "团委书记" in page.content()
    event = AuditEvent.objects.filter(action="update", object_id=str(city.cadres["village_a"].pk)).latest("id")
    assert event.source == "web" and event.actor_name == "orgdept"


def test_scoped_officer_sees_only_their_district(live_server, page):
    city = build_city()
    login(page, live_server, "officer_b")
    page.goto(f"{live_server.url}/cadres/")
    text = page.locator("table tbody").inner_text()
    assert "赵强" in text and "周婷" in text and "王海" not in text
    response = page.goto(f"{live_server.url}/cadres/{city.cadres['town_a'].pk}/")
    assert response.status == 404
    assert "不在您的管理范围内" in page.content()
