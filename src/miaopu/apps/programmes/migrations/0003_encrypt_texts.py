# Placement (assessment_note, the term-end assessment's comment) encrypted at rest with SM4-GCM
# (core/fields.py), like the talks and punishments (growth.0002): the column type stays text; existing rows are
# encrypted in place in batches. Reversible: going back decrypts them (the field key must still be configured).

from django.db import migrations

import miaopu.apps.core.fields
from miaopu.apps.core.recrypt import TableSpec, run_python

encrypt_rows, decrypt_rows = run_python(
    [
        TableSpec(table="programmes_placement", pk="id", columns=("assessment_note",)),
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0002_load_shipped_templates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="placement",
            name="assessment_note",
            field=miaopu.apps.core.fields.EncryptedTextField(blank=True, verbose_name="考核评语"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
