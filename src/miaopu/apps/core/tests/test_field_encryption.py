"""Field encryption (GB/T 22239-2019 §8.1.4.8, GB/T 39786-2021 §8.4): SM4-GCM columns, HMAC-SM3 blind index,
key rotation. Each test fails when its control is removed (plain columns, no AAD, no index, no key checks)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.core import crypto, recrypt
from miaopu.apps.core.audit import Actor
from miaopu.apps.core.crypto import DecryptionError, key_id_of, reset_key_cache
from miaopu.apps.core.fields import blind_index, blind_lookup
from miaopu.apps.core.models import AuditEvent
from miaopu.apps.growth import services as growth_services
from miaopu.apps.growth.models import Punishment, Talk
from miaopu.domain.idcard import make_id_number

TALK_TEXT = "谈话中反映家庭困难，情绪低落，需组织关心"
PROBLEM_TEXT = "配偶长期患病需要照顾"
PUNISHMENT_TEXT = "违规发放津贴补贴被诫勉谈话"


@pytest.fixture
def records(city):
    orgdept = Actor(user=city.users["orgdept"], source="web")
    cadre = city.cadres["town_b"]
    talk = growth_services.talk_create(
        actor=orgdept,
        cadre=cadre,
        data={
            "date": dt.date(2024, 5, 6),
            "talker": "组织部张三",
            "thought_state": "fluctuating",
            "content": TALK_TEXT,
            "problems": PROBLEM_TEXT,
            "follow_up": "",
        },
    )
    punishment = growth_services.punishment_create(
        actor=orgdept,
        cadre=cadre,
        data={
            "date": dt.date(2023, 3, 1),
            "kind": "admonition",
            "decided_by": "市纪委",
            "description": PUNISHMENT_TEXT,
        },
    )
    return talk, punishment


def raw_dump() -> str:
    """Everything the database holds, read around the ORM: SQLite's own dump, or every row of every table."""
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            lines.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(lines)


def _raw(table: str, column: str, pk: int) -> str:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _set_raw(table: str, column: str, pk: int, value) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_raw_dump_holds_no_id_number_and_no_talk_or_punishment_text(city, records):
    numbers = [c.id_number for c in Cadre.objects.all()]
    assert len(numbers) == 6 and all(len(n) == 18 for n in numbers)  # the ORM reads them back in clear
    dump = raw_dump()
    assert "sm4gcm:v1:" in dump
    for number in numbers:
        assert number not in dump
    for text in (TALK_TEXT, PROBLEM_TEXT, PUNISHMENT_TEXT):
        assert text not in dump
    talk, punishment = records
    assert _raw("growth_talk", "content", talk.pk).startswith("sm4gcm:v1:")
    assert Talk.objects.get(pk=talk.pk).content == TALK_TEXT
    assert Punishment.objects.get(pk=punishment.pk).description == PUNISHMENT_TEXT


def test_empty_values_stay_empty_and_values_decrypt(city, records):
    talk, _p = records
    assert _raw("growth_talk", "follow_up", talk.pk) == ""
    cadre = city.cadres["organ"]
    Cadre.objects.filter(pk=cadre.pk).update(id_number=None, id_number_index=None)
    assert _raw("cadres_cadre", "id_number", cadre.pk) is None
    assert Cadre.objects.get(pk=cadre.pk).id_number is None
    assert list(Talk.objects.filter(pk=talk.pk).values_list("content", flat=True)) == [TALK_TEXT]


def test_tampered_ciphertext_fails_loudly(city, records):
    talk, _p = records
    stored = _raw("growth_talk", "content", talk.pk)
    head, body = stored.rsplit(":", 1)
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    _set_raw("growth_talk", "content", talk.pk, f"{head}:{flipped}")
    with pytest.raises(DecryptionError, match="authentication"):
        Talk.objects.get(pk=talk.pk)
    _set_raw("growth_talk", "content", talk.pk, "plaintext somebody wrote into the table")
    with pytest.raises(DecryptionError, match="not encrypted"):
        Talk.objects.get(pk=talk.pk)


def test_ciphertext_moved_to_another_column_or_table_fails(city, records):
    talk, punishment = records
    content = _raw("growth_talk", "content", talk.pk)
    _set_raw("growth_talk", "problems", talk.pk, content)  # same row and table, another column
    with pytest.raises(DecryptionError):
        Talk.objects.get(pk=talk.pk)
    _set_raw("growth_talk", "problems", talk.pk, "")
    _set_raw("growth_punishment", "description", punishment.pk, content)  # another table
    with pytest.raises(DecryptionError):
        Punishment.objects.get(pk=punishment.pk)
    cadre = city.cadres["organ"]
    _set_raw("cadres_cadre", "id_number", cadre.pk, content)
    with pytest.raises(DecryptionError):
        Cadre.objects.get(pk=cadre.pk)


def test_blind_index_finds_exactly_the_cadre(city, client_for):
    cadre = city.cadres["village_a"]
    assert Cadre.objects.filter(blind_lookup("id_number_index", cadre.id_number)).get() == cadre
    lower = cadre.id_number.lower()  # the index is over the normalised number
    assert list(Cadre.objects.filter(blind_lookup("id_number_index", f" {lower} "))) == [cadre]
    other = make_id_number("440802", cadre.birth_date, 998)
    assert not Cadre.objects.filter(blind_lookup("id_number_index", other)).exists()
    assert _raw("cadres_cadre", "id_number_index", cadre.pk) == blind_index(cadre.id_number, "id_number")
    client = client_for("orgdept")
    page = client.get("/cadres/", {"q": cadre.id_number})
    assert page.status_code == 200
    html = page.content.decode()
    assert cadre.name in html and city.cadres["town_b"].name not in html
    api = client.get("/api/cadres/", {"q": cadre.id_number}).json()
    rows = api["results"] if isinstance(api, dict) else api
    assert [r["code"] for r in rows] == [cadre.code]
    # Out of scope stays out of scope: the district-B officer cannot find 李娜 by her number either.
    rows = client_for("officer_b").get("/api/cadres/", {"q": cadre.id_number}).json()
    assert (rows["results"] if isinstance(rows, dict) else rows) == []


def test_duplicate_id_number_is_refused_through_the_index(city):
    from django.core.exceptions import ValidationError

    from miaopu.apps.cadres.services import cadre_update

    orgdept = Actor(user=city.users["orgdept"], source="web")
    taken = city.cadres["village_a"].id_number
    target = Cadre.objects.get(pk=city.cadres["district_b"].pk)
    with pytest.raises(ValidationError) as info:
        data = {"id_number": taken, "birth_date": city.cadres["village_a"].birth_date}
        cadre_update(actor=orgdept, cadre=target, data=data)
    assert "id_number" in info.value.message_dict


def test_encrypted_columns_cannot_be_searched_by_accident(city, records):
    with pytest.raises(FieldError, match="encrypted"):
        list(Talk.objects.filter(content__contains="家庭"))
    with pytest.raises(FieldError, match="blind index"):
        list(Cadre.objects.filter(id_number=city.cadres["organ"].id_number))
    assert Talk.objects.filter(follow_up="").count() == 1  # the empty value is still comparable
    assert Cadre.objects.filter(id_number__isnull=False).count() == 6


def test_audit_trail_keeps_no_talk_text(city, records):
    talk, _p = records
    orgdept = Actor(user=city.users["orgdept"], source="web")
    growth_services.talk_update(actor=orgdept, talk=Talk.objects.get(pk=talk.pk), data={"content": "第二次谈话内容"})
    dump = raw_dump()
    assert "第二次谈话内容" not in dump and TALK_TEXT not in dump
    assert AuditEvent.objects.filter(object_type="growth.talk").count() >= 2


def test_a_wrong_field_key_fails_loudly(city, monkeypatch):
    monkeypatch.setenv("MIAOPU_FIELD_KEY", secrets.token_hex(16))
    with pytest.raises(DecryptionError, match="not configured"):
        list(Cadre.objects.all())
    monkeypatch.setenv("MIAOPU_FIELD_KEY", "abcd")
    with pytest.raises(ImproperlyConfigured, match="32 hex digits"):
        list(Cadre.objects.all())


def test_missing_key_in_production_fails(tmp_path, settings):
    settings.MIAOPU_GENERATE_MISSING_KEYS = False
    settings.MIAOPU_KEY_FILES = {**settings.MIAOPU_KEY_FILES, "field": tmp_path / "absent.key"}
    reset_key_cache()
    try:
        with pytest.raises(ImproperlyConfigured, match="MIAOPU_FIELD_KEY"):
            crypto.encrypt_value("x", table="t", column="c")
        assert not (tmp_path / "absent.key").exists()  # never invented on a server
    finally:
        reset_key_cache()


def test_production_deploy_check_requires_the_field_and_index_keys(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "miaopu.config.settings.prod",
        "MIAOPU_SECRET_KEY": secrets.token_urlsafe(60),
        "MIAOPU_ALLOWED_HOSTS": "example.gov",
        "MIAOPU_AUDIT_KEY": secrets.token_hex(32),
        "MIAOPU_BACKUP_KEY": secrets.token_hex(16),
        "MIAOPU_INDEX_KEY": secrets.token_hex(32),
        "MIAOPU_VAR_DIR": str(tmp_path),
    }
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "MIAOPU_FIELD_KEY"):
        env.pop(name, None)
    command = [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "ERROR"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode != 0 and "no field key" in result.stdout + result.stderr


def test_data_migration_encrypts_plaintext_rows_and_reverses(city, records):
    talk, _p = records
    cadre = city.cadres["organ"]
    spec = recrypt.TableSpec(
        "cadres_cadre",
        "id",
        ("id_number",),
        (recrypt.IndexSpec("id_number_index", "id_number", "id_number"),),
    )
    recrypt.process(spec, "decrypt")  # what the table looked like before migration 0005
    assert _raw("cadres_cadre", "id_number", cadre.pk) == cadre.id_number
    outcome = recrypt.process(spec, "encrypt", batch_size=4)  # several batches
    assert outcome.rows == 6 and outcome.rewritten[("cadres_cadre", "id_number")] == 6
    assert outcome.rewritten[("cadres_cadre", "id_number_index")] == 6
    assert _raw("cadres_cadre", "id_number", cadre.pk).startswith("sm4gcm:v1:")
    assert Cadre.objects.filter(blind_lookup("id_number_index", cadre.id_number)).get().pk == cadre.pk
    again = recrypt.process(spec, "encrypt")  # idempotent
    assert sum(again.rewritten.values()) == 0


def _write_key(path, *keys: bytes) -> None:
    path.write_text("\n".join(k.hex() for k in keys) + "\n")
    path.chmod(0o600)


def test_rotation_re_encrypts_everything_then_the_old_key_can_go(city, records, tmp_path, settings, capsys):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=city.users["orgdept"], name="验证器", confirmed=True)
    secret = device.key
    talk, punishment = records
    old_field = crypto.keyring("field").current
    old_index = crypto.keyring("index").current
    new_field, new_index = secrets.token_bytes(16), secrets.token_bytes(32)
    field_file, index_file = tmp_path / "field.key", tmp_path / "index.key"
    _write_key(field_file, new_field, old_field)
    _write_key(index_file, new_index, old_index)
    settings.MIAOPU_KEY_FILES = {**settings.MIAOPU_KEY_FILES, "field": field_file, "index": index_file}
    reset_key_cache()
    try:
        numbers = {c.pk: c.id_number for c in Cadre.objects.all()}
        # Before rotation, search still works with the new key first: every configured index key is tried.
        some = city.cadres["town_a"]
        assert Cadre.objects.filter(blind_lookup("id_number_index", numbers[some.pk])).get().pk == some.pk
        call_command("crypto", "rotate", "--batch-size", "3")
        out = capsys.readouterr().out
        assert "cadres_cadre" in out and "id_number: 6" in out and "id_number_index: 6" in out
        assert "growth_talk" in out and "otp_totp_totpdevice" in out
        event = AuditEvent.objects.filter(object_type="core.fieldkey").latest("seq")
        assert event.detail["field_key"] == key_id_of(new_field) and event.detail["rewritten"] >= 6 + 6 + 2 + 1 + 1
        # Drop the old keys: everything still reads and is still found.
        _write_key(field_file, new_field)
        _write_key(index_file, new_index)
        reset_key_cache()
        assert {c.pk: c.id_number for c in Cadre.objects.all()} == numbers
        for pk, number in numbers.items():
            assert Cadre.objects.filter(blind_lookup("id_number_index", number)).get().pk == pk
        assert Talk.objects.get(pk=talk.pk).content == TALK_TEXT
        assert Talk.objects.get(pk=talk.pk).problems == PROBLEM_TEXT
        assert Punishment.objects.get(pk=punishment.pk).description == PUNISHMENT_TEXT
        assert TOTPDevice.objects.get(pk=device.pk).key == secret
        call_command("crypto", "status")
        status = capsys.readouterr().out
        assert key_id_of(new_field) in status and key_id_of(old_field) not in status.split("\n", 2)[2]
        assert "plaintext" not in status
    finally:
        reset_key_cache()


def test_status_counts_rows_per_key_id(city, records, capsys):
    call_command("crypto", "status")
    out = capsys.readouterr().out
    current = crypto.keyring("field").current_id
    assert f"cadres_cadre.id_number  {current}: 6" in out
    assert f"growth_talk.content  {current}: 1" in out
    assert f"growth_punishment.description  {current}: 1" in out


def test_totp_secret_is_encrypted_at_rest(city):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=city.users["orgdept"], name="验证器", confirmed=True)
    stored = _raw("otp_totp_totpdevice", "key", device.pk)
    assert stored.startswith("sm4gcm:v1:") and device.key not in stored
    loaded = TOTPDevice.objects.get(pk=device.pk)
    assert loaded.key == device.key and len(loaded.key) == 40
    token = TOTP(loaded.bin_key, loaded.step, loaded.t0, loaded.digits, loaded.drift).token()
    assert loaded.verify_token(token)
    assert _raw("otp_totp_totpdevice", "key", device.pk).startswith("sm4gcm:v1:")  # still after verify's save


def test_roster_import_writes_envelopes_and_matches_through_the_index(city):
    """The importer writes with raw SQL (INSERT/COPY): it must encrypt and index there too, and find the stored
    cadre of an ID number (row without 人员编号) through the blind index."""
    from miaopu.apps.exchange.services import roster_import
    from miaopu.apps.exchange.tests.helpers import roster

    birth = dt.date(1995, 3, 4)
    number = make_id_number("440802", birth, 11)
    row = {
        "人员编号": "ENC001",
        "姓名": "加密甲",
        "性别": "男",
        "出生日期": birth,
        "身份证号": number,
        "政治面貌": "群众",
        "参加工作时间": dt.date(2017, 8, 1),
        "现工作单位": "东湖区青石镇",
        "现任职务": "科员",
    }
    actor = Actor(user=city.users["orgdept"], source="cli")
    report = roster_import(actor=actor, data=roster(cadres=[row]), file_name="a.xlsx", today=dt.date(2026, 6, 1))
    assert report.ok, report.lines()
    cadre = Cadre.objects.get(code="ENC001")
    assert cadre.id_number == number
    assert _raw("cadres_cadre", "id_number", cadre.pk).startswith("sm4gcm:v1:")
    assert _raw("cadres_cadre", "id_number_index", cadre.pk) == blind_index(number, "id_number")
    assert number not in raw_dump()
    # A second file without 人员编号: matched by the ID number (lower-case x or not), updated, not duplicated.
    again = {**row, "人员编号": None, "现任职务": "副镇长"}
    report = roster_import(actor=actor, data=roster(cadres=[again]), file_name="b.xlsx", today=dt.date(2026, 6, 1))
    assert report.ok, report.lines()
    assert Cadre.objects.filter(name="加密甲").count() == 1
    updated = Cadre.objects.get(pk=cadre.pk)
    assert updated.post_title == "副镇长" and updated.id_number == number
    assert _raw("cadres_cadre", "id_number", cadre.pk).startswith("sm4gcm:v1:")
    # Someone else's number under a new code is refused as taken.
    clash = {**row, "人员编号": "ENC002", "姓名": "加密乙"}
    report = roster_import(actor=actor, data=roster(cadres=[clash]), file_name="c.xlsx", today=dt.date(2026, 6, 1))
    assert not report.ok and not Cadre.objects.filter(code="ENC002").exists()


def test_set_cadre_finds_the_cadre_by_id_number(city):
    cadre = city.cadres["town_a"]
    call_command("set-cadre", cadre.id_number.lower(), "post_title=副镇长", user="orgdept")
    assert Cadre.objects.get(pk=cadre.pk).post_title == "副镇长"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):  # 西山县's officer cannot reach 东湖区's cadre by number either
        call_command("set-cadre", cadre.id_number, "post_title=科员", user="officer_b")


@pytest.mark.django_db
def test_every_encrypted_column_holds_only_envelopes_after_the_demo_city():
    """Every writer, including the demo's bulk INSERTs, stores envelopes: no encrypted column holds clear text, and
    the ORM reads every one back (assessment comments, reviews, guidance records, growth entries, placements' term
    assessments, talks, punishments, counselling notes, ID numbers)."""
    from miaopu.apps.core import demo as city_demo
    from miaopu.apps.core.recrypt import registry

    city_demo.generate(cadres=300, seed=5, today=dt.date.today(), history=True)
    qn = connection.ops.quote_name
    filled: dict[str, int] = {}
    with connection.cursor() as cursor:
        for spec in registry():
            for column in spec.columns:
                cursor.execute(
                    f"SELECT {qn(column)} FROM {qn(spec.table)} WHERE {qn(column)} IS NOT NULL AND {qn(column)} <> ''"  # noqa: S608
                )
                values = [row[0] for row in cursor.fetchall()]
                assert all(v.startswith("sm4gcm:v1:") for v in values), f"{spec.table}.{column} holds clear text"
                filled[f"{spec.table}.{column}"] = len(values)
    for column in ("assessments_assessment.comment", "growth_growthentry.details", "cadres_cadre.id_number"):
        assert filled[column] > 0, column  # the demo does write these, so the check above was not vacuous
    from miaopu.apps.assessments.models import Assessment
    from miaopu.apps.growth.models import GrowthEntry

    assert all(
        not c.startswith("sm4gcm") for c in Assessment.objects.exclude(comment="").values_list("comment", flat=True)
    )
    assert GrowthEntry.objects.exclude(details="").exists()
