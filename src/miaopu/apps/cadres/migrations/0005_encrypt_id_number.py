# Cadre.id_number encrypted at rest (SM4-GCM envelope, core/fields.py) with an HMAC-SM3 blind index that carries
# the uniqueness the plain column had. Existing rows are encrypted in place (raw SQL, batches); reversible: going
# back decrypts them (the field key must still be configured) and restores the plain unique column.

from django.db import migrations

import miaopu.apps.core.fields
from miaopu.apps.core.recrypt import IndexSpec, TableSpec, run_python

SPEC = TableSpec(
    table="cadres_cadre",
    pk="id",
    columns=("id_number",),
    indexes=(IndexSpec(column="id_number_index", source="id_number", purpose="id_number"),),
)
encrypt_rows, decrypt_rows = run_python([SPEC])


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0004_first_rural_start"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cadre",
            name="id_number",
            field=miaopu.apps.core.fields.EncryptedCharField(
                blank=True, max_length=18, null=True, verbose_name="身份证号"
            ),
        ),
        migrations.AddField(
            model_name="cadre",
            name="id_number_index",
            field=miaopu.apps.core.fields.BlindIndexField(
                help_text="HMAC-SM3 盲索引", source="id_number", verbose_name="身份证号索引"
            ),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        migrations.AlterField(
            model_name="cadre",
            name="id_number_index",
            field=miaopu.apps.core.fields.BlindIndexField(
                help_text="HMAC-SM3 盲索引", source="id_number", unique=True, verbose_name="身份证号索引"
            ),
        ),
    ]
