"""The mentoring API: scoping by role (a mentor reads and writes only its own mentees' records), pairing, alerts."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from miaopu.apps.mentoring.models import GuidanceRecord, Mentorship, PairingRun

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def api(city, role: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(city.users[role])
    return client


def test_mentor_lists_only_own_mentorships_and_records(city, records):
    client = api(city, "mentor")
    ships = client.get("/api/mentorships/").json()["results"]
    assert [s["mentee_name"] for s in ships] == ["赵强"]
    rows = client.get("/api/guidance-records/").json()["results"]
    assert [r["id"] for r in rows] == [records["own"].pk]
    assert client.get(f"/api/guidance-records/{records['other'].pk}/").status_code == 404
    assert client.get(f"/api/mentorships/{records['other'].mentorship_id}/").status_code == 404


def test_mentor_writes_own_record_but_not_anothers(city, records):
    client = api(city, "mentor")
    own_ship = records["own"].mentorship_id
    body = {"mentorship": own_ship, "date": "2024-09-01", "kind": "onsite", "hours": "2.0", "content": "现场带教"}
    response = client.post("/api/guidance-records/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["kind_display"] == "现场带教" and response.json()["confirmed"] is False
    body["mentorship"] = records["other"].mentorship_id
    assert client.post("/api/guidance-records/", body, format="json").status_code == 404
    patch = client.patch(f"/api/guidance-records/{records['other'].pk}/", {"hours": "5"}, format="json")
    assert patch.status_code == 404
    assert client.delete(f"/api/guidance-records/{records['other'].pk}/").status_code == 404
    assert GuidanceRecord.objects.get(pk=records["other"].pk).hours == 1
    ok = client.patch(f"/api/guidance-records/{records['own'].pk}/", {"hours": "2.5"}, format="json")
    assert ok.status_code == 200 and ok.json()["hours"] == "2.5"


def test_only_the_mentee_confirms(city, records):
    record = records["other"]
    assert (
        api(city, "mentor2").post(f"/api/guidance-records/{record.pk}/confirm/", {}, format="json").status_code == 403
    )
    response = api(city, "cadre").post(f"/api/guidance-records/{record.pk}/confirm/", {"note": "属实"}, format="json")
    assert response.status_code == 200 and response.json()["confirmed"] is True
    again = api(city, "mentor2").patch(f"/api/guidance-records/{record.pk}/", {"hours": "3"}, format="json")
    assert again.status_code == 400 and "已确认" in str(again.json())


def test_roles_that_may_never_write_are_refused_before_validation(city, records):
    assert api(city, "cadre").post("/api/guidance-records/", {}, format="json").status_code == 403
    assert api(city, "officer_b").post("/api/mentorships/", {}, format="json").status_code == 403
    assert api(city, "mentor").post("/api/pairing-runs/", {}, format="json").status_code == 403
    assert api(city, "auditor").get("/api/mentorships/").status_code == 403
    assert api(city, "mentor").get("/api/pairing-runs/").status_code == 403


def test_pairing_over_the_api(town):
    client = api(town, "orgdept")
    response = client.post("/api/pairing-runs/", {"template": "xinmiao", "as_of": AS_OF.isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    run = response.json()
    assert run["cohort_size"] == 4 and [r["proposed"] for r in run["summary"]["roles"]] == [4, 4]
    proposals = client.get(f"/api/pairing-proposals/?run={run['id']}").json()["results"]
    assert len(proposals) == 8 and all(p["reasons"] for p in proposals)
    accept = [p["id"] for p in proposals if p["role"] == "political"]
    assert client.post(f"/api/pairing-runs/{run['id']}/decide/", {"accept": accept}, format="json").json() == {
        "accepted": 4, "rejected": 0,
    }  # fmt: skip
    done = client.post(f"/api/pairing-runs/{run['id']}/confirm/", {"start": "2025-03-10"}, format="json").json()
    assert done["created"] == 4 and done["status"] == "proposed"
    assert Mentorship.objects.filter(role="political", start="2025-03-10").count() == 4
    assert PairingRun.objects.get().proposals.filter(status="confirmed").count() == 4


def test_manual_pairing_and_alerts_over_the_api(city, records):
    client = api(city, "orgdept")
    mentor = Mentorship.objects.get(mentor__user=city.users["mentor"]).mentor
    body = {"mentee": city.cadres["organ"].pk, "mentor": mentor.pk, "role": "political", "start": "2025-01-01"}
    assert client.post("/api/mentorships/", body, format="json").status_code == 201
    again = client.post("/api/mentorships/", body, format="json")
    assert again.status_code == 400 and "已有在带的政治导师" in str(again.json())
    alerts = client.get("/api/mentoring-alerts/").json()["results"]
    kinds = {a["kind"] for a in alerts}
    assert "no_contact" in kinds
    assert all(a["reason"] and a["link"] for a in alerts)
