# Talk (problems, follow_up, content) and Punishment (description) encrypted at rest with SM4-GCM
# (core/fields.py). The column type stays text; existing rows are encrypted in place in batches. Reversible:
# going back decrypts them (the field key must still be configured).

from django.db import migrations

import miaopu.apps.core.fields
from miaopu.apps.core.recrypt import TableSpec, run_python

encrypt_rows, decrypt_rows = run_python(
    [
        TableSpec(table="growth_talk", pk="id", columns=("problems", "follow_up", "content")),
        TableSpec(table="growth_punishment", pk="id", columns=("description",)),
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("growth", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="talk",
            name="problems",
            field=miaopu.apps.core.fields.EncryptedTextField(blank=True, verbose_name="反映的问题"),
        ),
        migrations.AlterField(
            model_name="talk",
            name="follow_up",
            field=miaopu.apps.core.fields.EncryptedTextField(blank=True, verbose_name="跟进措施"),
        ),
        migrations.AlterField(
            model_name="talk",
            name="content",
            field=miaopu.apps.core.fields.EncryptedTextField(verbose_name="谈话内容"),
        ),
        migrations.AlterField(
            model_name="punishment",
            name="description",
            field=miaopu.apps.core.fields.EncryptedTextField(verbose_name="事由"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
