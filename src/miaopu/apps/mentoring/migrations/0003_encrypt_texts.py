# GuidanceRecord (content) encrypted at rest with SM4-GCM (core/fields.py), like the talks and punishments
# (growth.0002): the column type stays text; existing rows are encrypted in place in batches. Reversible: going
# back decrypts them (the field key must still be configured).

from django.db import migrations

import miaopu.apps.core.fields
from miaopu.apps.core.recrypt import TableSpec, run_python

encrypt_rows, decrypt_rows = run_python(
    [
        TableSpec(table="mentoring_guidancerecord", pk="id", columns=("content",)),
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0002_mentors_records_pairing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="guidancerecord",
            name="content",
            field=miaopu.apps.core.fields.EncryptedTextField(verbose_name="内容"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
