"""The tamper-evident audit trail (GB/T 22239-2019 §8.1.4.3): HMAC-SM3 chain, verify, purge, no raw ID numbers."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from miaopu.apps.cadres import services as cadre_services
from miaopu.apps.core import audit_chain
from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.crypto import hmac_sm3, keyring
from miaopu.apps.core.models import AuditChainState, AuditEvent
from miaopu.apps.core.testing import PASSWORD
from miaopu.domain.idcard import make_id_number, validate_id_number

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def raw(sql: str, params=()) -> None:
    """What someone with database access but without the audit key could do (bypassing the model)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def some_events(n: int = 5) -> list[AuditEvent]:
    return [
        record(Actor.system(), category="change", action="update", obj="test.thing", object_id=i, detail={"i": i})
        for i in range(n)
    ]


def verify_command() -> tuple[int, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        with translation.override("zh-hans"):
            call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, err.getvalue()
    return 0, out.getvalue()


def test_each_record_is_chained_to_the_previous_with_hmac_sm3(city):
    events = some_events(3)
    key = keyring("audit").current
    for previous, event in zip(events, events[1:], strict=False):
        event.refresh_from_db()
        assert event.seq == previous.seq + 1 and event.prev_hmac == previous.chain_hmac
        assert event.key_id == keyring("audit").current_id
        expected = hmac_sm3(key, event.prev_hmac.encode(), b"\n", audit_chain.canonical(event.__dict__)).hex()
        assert event.chain_hmac == expected and len(expected) == 64
    assert AuditChainState.objects.get().seq == events[-1].seq
    code, out = verify_command()
    assert code == 0 and out.startswith("OK") and str(AuditEvent.objects.count()) in out


def test_verify_finds_a_changed_row(city):
    events = some_events()
    raw(f"UPDATE {TABLE} SET actor_name = 'someone-else' WHERE id = %s", [events[2].pk])
    result = audit_chain.verify()
    assert not result.ok and result.problems[0].kind == "changed" and result.problems[0].event_id == events[2].pk
    code, err = verify_command()
    assert code == 1 and f"id={events[2].pk}" in err and "修改" in err


def test_verify_finds_a_deleted_row(city):
    events = some_events()
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].pk])
    result = audit_chain.verify()
    assert not result.ok and result.problems[0].kind == "missing"
    assert str(events[2].seq) in result.problems[0].message and result.problems[0].event_id == events[3].pk


def test_verify_finds_rows_cut_off_the_end(city):
    events = some_events()
    raw(f"DELETE FROM {TABLE} WHERE seq >= %s", [events[3].seq])
    result = audit_chain.verify()
    assert not result.ok and result.problems[0].kind == "truncated"


def test_verify_finds_an_inserted_row(city):
    events = some_events()
    last = events[-1]
    raw(
        f"INSERT INTO {TABLE} (at, category, action, source, actor_name, actor_role, object_type, object_id, "
        "object_repr, seq, prev_hmac, chain_hmac, key_id) VALUES (%s, 'auth', 'login', 'web', 'ghost', '', '', '', "
        "'', %s, %s, %s, %s)",
        [timezone.now(), last.seq + 1, last.chain_hmac, "0" * 64, last.key_id],
    )
    raw(f"UPDATE {AuditChainState._meta.db_table} SET seq = seq + 1")
    result = audit_chain.verify()
    assert not result.ok and result.problems[0].kind == "changed"
    # A row written around the application has no chain position at all.
    raw(
        f"INSERT INTO {TABLE} (at, category, action, source, actor_name, actor_role, object_type, object_id, "
        "object_repr, prev_hmac, chain_hmac, key_id) VALUES (%s, 'auth', 'login', 'web', 'ghost2', '', '', '', '', "
        "'', '', '')",
        [timezone.now()],
    )
    assert any(p.kind == "unchained" for p in audit_chain.verify().problems)


def test_the_application_cannot_change_or_delete_audit_rows(city):
    event = some_events(1)[0]
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_name="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_update_and_delete_whoever_asks(city):
    from django.db.utils import DatabaseError

    event = some_events(1)[0]
    for sql in (f"UPDATE {TABLE} SET actor_name = 'x' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    # Even inside a purge, a young row cannot be deleted.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL miaopu.audit_purge = 'on'")
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])


def test_purge_refuses_records_younger_than_183_days(city):
    with pytest.raises(audit_chain.PurgeRefused, match="183"):
        audit_chain.purge(before=timezone.now() - dt.timedelta(days=180), actor=Actor.cli())
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="183"):
        call_command("audit", "purge", "--before", (dt.date.today() - dt.timedelta(days=100)).isoformat())


def test_purging_old_records_keeps_the_rest_verifiable(city):
    old = some_events(4)
    raw(f"UPDATE {TABLE} SET at = %s", [timezone.now() - dt.timedelta(days=400)])  # pretend the city is old
    # Re-chain with the backdated times, as if they had been written then (the test has the key).
    ring = keyring("audit")
    head = ""
    for event in AuditEvent.objects.order_by("seq"):
        mac = audit_chain.row_hmac(ring.current, head, event.__dict__)
        raw(f"UPDATE {TABLE} SET prev_hmac = %s, chain_hmac = %s WHERE id = %s", [head, mac, event.pk])
        head = mac
    raw(f"UPDATE {AuditChainState._meta.db_table} SET head_hmac = %s", [head])
    young = some_events(2)
    assert audit_chain.verify().ok
    total = AuditEvent.objects.count()

    call_command("audit", "purge", "--before", (dt.date.today() - dt.timedelta(days=200)).isoformat())

    remaining = AuditEvent.objects.count()
    assert remaining == len(young) + 1  # the young rows and the purge record
    purge_event = AuditEvent.objects.get(action="purge")
    assert purge_event.detail["deleted"] == total - len(young) and purge_event.detail["through_seq"] == young[0].seq - 1
    assert old[-1].seq < young[0].seq
    result = audit_chain.verify()
    assert result.ok, result.problems
    # Deleting the oldest remaining row is still noticed.
    raw(f"DELETE FROM {TABLE} WHERE id = %s", [young[0].pk])
    assert audit_chain.verify().problems[0].kind == "missing"


def test_concurrent_style_appends_stay_linear_inside_transactions(city):
    """Appends inside an outer transaction that rolls back leave no gap in the chain."""
    some_events(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        some_events(2)
        raise RuntimeError
    some_events(2)
    result = audit_chain.verify()
    assert result.ok and result.checked == AuditEvent.objects.count()
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))


ID_PATTERN = re.compile(r"\d{17}[\dXx]")


def test_no_raw_id_number_in_any_audit_row(city, client_for):
    """After creating, editing, viewing, searching and logging in with an ID number, no row holds one in clear."""
    orgdept = Actor(user=city.users["orgdept"], source="web", ip="10.0.0.1")
    number = make_id_number("440802", dt.date(1992, 3, 4), 123)
    cadre = cadre_services.cadre_create(
        actor=orgdept,
        data={
            "code": "S000001",
            "name": "审计测试",
            "gender": "male",
            "birth_date": dt.date(1992, 3, 4),
            "id_number": number,
            "unit": city.town_a,
            "political_status": "cpc",
        },
    )
    other = make_id_number("440802", dt.date(1992, 3, 4), 125)
    cadre_services.cadre_update(actor=orgdept, cadre=cadre, data={"id_number": other}, expected_version=cadre.version)
    client = client_for("orgdept")
    client.get(f"/cadres/{cadre.pk}/")
    client.get("/cadres/", {"q": number})
    client.get(f"/api/cadres/{cadre.pk}/")
    Client().post(reverse("login"), {"username": number, "password": PASSWORD})  # an ID number typed as a name
    record(orgdept, category="access", action="export", obj="test.file", object_repr=f"名单-{number}.xlsx",
           detail={"note": f"含 {other}", "list": [number]})  # fmt: skip
    auditor = client_for("auditor")
    auditor.get(reverse("accounts:audit_list"), {"q": number, "user": number})

    found = []
    columns = [f.attname for f in AuditEvent._meta.concrete_fields]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {TABLE}")  # the raw rows, as a dump would show them
        for row in cursor.fetchall():
            for candidate in ID_PATTERN.findall(" ".join(str(v) for v in row)):
                if validate_id_number(candidate).ok:
                    found.append(candidate)
    assert AuditEvent.objects.count() > 8
    assert found == []
    assert AuditEvent.objects.filter(action="login_failed", actor_name__contains="********").exists()
