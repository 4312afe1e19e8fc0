"""Scoping: programme work is the organisation department's, and a district officer never sees or acts on
another district's cadres, through any page or endpoint."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from miaopu.apps.programmes import services
from miaopu.apps.programmes.models import Batch

from .conftest import AS_OF, START, actor_for, candidate, new_batch, nominate_and_vet

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["sysadmin", "secadmin", "auditor", "officer_b", "officer_town_a", "mentor", "cadre"]
PAGES = ["/programmes/", "/programmes/batches/", "/programmes/batches/new/", "/programmes/templates/dunmiao/",
         "/programmes/templates/dunmiao/eligible/", "/programmes/placements/", "/programmes/reserve-pool/"]  # fmt: skip
ENDPOINTS = ["/api/programme-templates/", "/api/programme-templates/dunmiao/eligible/", "/api/programme-batches/",
             "/api/programme-candidates/", "/api/programme-placements/"]  # fmt: skip


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_everywhere(client_for, roster, role):
    client = client_for(role)
    for url in PAGES + ENDPOINTS:
        assert client.get(url).status_code == 403, url
    cadre = roster.cadres["village_a"]
    assert client.get(f"/programmes/cadres/{cadre.pk}/").status_code == 403
    assert client.post("/api/programme-batches/", {}, content_type="application/json").status_code == 403


@pytest.fixture
def city_batch(roster):
    """A city-wide 双向挂职 batch with people of both districts placed, run by the city's 组织部."""
    city = roster
    actor = actor_for(city)
    batch = new_batch(city, "two-way")
    to_town = services.batch_add_slot(actor=actor, batch=batch, unit=city.town_a, post_title="镇长助理", side="A")
    to_organ = services.batch_add_slot(actor=actor, batch=batch, unit=city.organ, post_title="科员", side="B")
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    a, b = nominate_and_vet(city, batch, city.cadres["twa"], city.cadres["twb"])
    services.candidate_nominate(actor=actor, candidate=candidate(batch, city.cadres["town_b"]))
    services.assignment_set(actor=actor, candidate=a, slot=to_town, partner=b, partner_slot=to_organ)
    return batch


def test_district_officer_sees_the_city_batch_but_only_own_cadres(client_for, roster, city_batch):
    city = roster
    client = client_for("orgdept_a")
    response = client.get(f"/programmes/batches/{city_batch.pk}/", {"tab": "candidates"})
    assert response.status_code == 200
    shown = {c.cadre_id for c in response.context["page_obj"]}
    assert shown and all(c.cadre.unit.path.startswith(city.district_a.path) for c in response.context["page_obj"])
    html = response.content.decode()
    for key in ["town_b", "district_b", "organ", "twa", "nr"]:
        assert city.cadres[key].name not in html, key
    api = client.get("/api/programme-candidates/", {"batch": city_batch.pk}).json()
    assert {row["cadre"] for row in api["results"]} == shown


def test_district_officer_cannot_touch_another_districts_cadre(client_for, roster, city_batch):
    city = roster
    client = client_for("orgdept_a")
    outsider = candidate(city_batch, city.cadres["town_b"])
    for url in [f"/programmes/candidates/{outsider.pk}/vetting/", f"/programmes/candidates/{outsider.pk}/assign/",
                f"/api/programme-candidates/{outsider.pk}/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.post(f"/programmes/candidates/{outsider.pk}/nominate/").status_code == 404
    assert client.post(f"/api/programme-candidates/{outsider.pk}/nominate/").status_code == 404
    assert client.get(f"/programmes/cadres/{city.cadres['town_b'].pk}/").status_code == 404
    eligible = client.get("/programmes/templates/two-way/eligible/").context["page_obj"]
    assert {row.cadre_id for row in eligible} <= {
        c.pk for c in city.cadres.values() if c.unit.path.startswith(city.district_a.path)
    }
    # The service itself refuses too, whatever door the call comes through.
    with pytest.raises(PermissionDenied):
        services.candidate_nominate(actor=actor_for(city, "orgdept_a"), candidate=outsider)


def test_district_officer_cannot_run_a_city_batch(client_for, roster, city_batch):
    client = client_for("orgdept_a")
    for action in ["evaluate", "approve", "close"]:
        assert client.post(f"/programmes/batches/{city_batch.pk}/{action}/").status_code == 403, action
    assert client.post(f"/api/programme-batches/{city_batch.pk}/approve/").status_code == 403


def test_a_batch_of_district_b_does_not_exist_for_district_a(client_for, roster):
    city = roster
    batch = new_batch(city, "sixiaji-practice", scope_unit=city.district_b)
    client = client_for("orgdept_a")
    assert client.get(f"/programmes/batches/{batch.pk}/").status_code == 404
    assert client.get(f"/api/programme-batches/{batch.pk}/").status_code == 404
    assert batch.pk not in {row["id"] for row in client.get("/api/programme-batches/").json()["results"]}
    assert client_for("orgdept").get(f"/programmes/batches/{batch.pk}/").status_code == 200


def test_district_officer_runs_their_own_batch(roster):
    city = roster
    actor = actor_for(city, "orgdept_a")
    with pytest.raises(PermissionDenied):
        new_batch(city, "youth-camp", role="orgdept_a", scope_unit=city.root)
    batch = new_batch(city, "youth-camp", role="orgdept_a")
    assert batch.scope_unit == city.district_a
    services.batch_evaluate_candidates(actor=actor, batch=batch)
    assert {c.cadre.name for c in batch.candidates.all()} == {"叶青训"}
    nominate_and_vet(city, batch, city.cadres["yc"])
    services.batch_approve(actor=actor, batch=batch)
    (placement,) = services.placements_create(actor=actor, batch=batch, start=START)
    assert placement.cadre == city.cadres["yc"] and Batch.objects.get(pk=batch.pk).as_of == AS_OF
