# The roster at 200,000 cadres (issue 9):
# * Cadre.first_rural_start: the start of a cadre's earliest experience entry at a 镇街/村社区 unit, derived from
#   the history (cadres/derived.py), so the "rural experience" filter is a column test, with an index to count it;
# * an index on UPPER(code) for the search's case-insensitive 人员编号 match;
# * PostgreSQL only: a GIN index on the characters of the name (string_to_array(name, NULL)), which the name
#   search uses to find candidate rows for one- and two-character fragments (filtersets.name_contains).

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Upper

#: RURAL_LEVELS as of this migration (镇街, 村社区), frozen here so later vocabulary changes do not alter history.
RURAL_LEVELS = ["town", "village"]
NAME_CHARS_INDEX = "cadres_name_chars"


def fill(apps, schema_editor):
    Cadre = apps.get_model("cadres", "Cadre")
    Experience = apps.get_model("cadres", "Experience")
    earliest = Subquery(
        Experience.objects.filter(cadre=OuterRef("pk"), unit__level__in=RURAL_LEVELS)
        .order_by("start")
        .values("start")[:1]
    )
    Cadre.objects.using(schema_editor.connection.alias).update(first_rural_start=earliest)


def add_name_chars_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME_CHARS_INDEX} ON cadres_cadre USING gin (string_to_array(name, NULL))"
        )


def drop_name_chars_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME_CHARS_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0003_roster_index"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="cadre",
            name="first_rural_start",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="首次乡村工作起始时间"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="cadre",
            index=models.Index(fields=["status", "birth_date", "first_rural_start"], name="cadres_status_birth_rural"),
        ),
        migrations.AddIndex(
            model_name="cadre",
            index=models.Index(Upper("code"), name="cadres_code_upper"),
        ),
        migrations.RunPython(add_name_chars_index, drop_name_chars_index),
    ]
