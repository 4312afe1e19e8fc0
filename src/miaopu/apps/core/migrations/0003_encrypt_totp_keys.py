# django-otp's TOTP secrets encrypted at rest (core/otp_keys.py): widen the PostgreSQL column to text (the
# envelope is longer than varchar(80)), then encrypt every existing secret. Reversible: going back decrypts them
# (the field key must still be configured) and narrows the column again.

from django.db import migrations

from miaopu.apps.core.otp_keys import TOTP_COLUMN, TOTP_TABLE
from miaopu.apps.core.recrypt import TableSpec, process

SPEC = TableSpec(table=TOTP_TABLE, pk="id", columns=(TOTP_COLUMN,))


def _alter(schema_editor, column_type: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        qn = schema_editor.quote_name
        schema_editor.execute(f"ALTER TABLE {qn(TOTP_TABLE)} ALTER COLUMN {qn(TOTP_COLUMN)} TYPE {column_type}")


def forward(apps, schema_editor):
    _alter(schema_editor, "text")
    process(SPEC, "encrypt", using=schema_editor.connection.alias)


def backward(apps, schema_editor):
    process(SPEC, "decrypt", using=schema_editor.connection.alias)
    _alter(schema_editor, "varchar(80)")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_security_audit_chain"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forward, backward)]
