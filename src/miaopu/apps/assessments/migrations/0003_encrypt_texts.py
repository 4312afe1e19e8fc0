# Assessment (comment) and Review (strengths, weaknesses, advice) encrypted at rest with SM4-GCM
# (core/fields.py), like the talks and punishments (growth.0002): the column type stays text; existing rows are
# encrypted in place in batches. Reversible: going back decrypts them (the field key must still be configured).

from django.db import migrations

import miaopu.apps.core.fields
from miaopu.apps.core.recrypt import TableSpec, run_python

encrypt_rows, decrypt_rows = run_python(
    [
        TableSpec(table="assessments_assessment", pk="id", columns=("comment",)),
        TableSpec(table="assessments_review", pk="id", columns=("strengths", "weaknesses", "advice")),
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_list_order_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assessment",
            name="comment",
            field=miaopu.apps.core.fields.EncryptedTextField(blank=True, verbose_name="评语"),
        ),
        migrations.AlterField(
            model_name="review",
            name="advice",
            field=miaopu.apps.core.fields.EncryptedTextField(verbose_name="培养使用建议"),
        ),
        migrations.AlterField(
            model_name="review",
            name="strengths",
            field=miaopu.apps.core.fields.EncryptedTextField(blank=True, verbose_name="主要优点"),
        ),
        migrations.AlterField(
            model_name="review",
            name="weaknesses",
            field=miaopu.apps.core.fields.EncryptedTextField(blank=True, verbose_name="不足之处"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
