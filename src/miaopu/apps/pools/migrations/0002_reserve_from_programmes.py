"""Bring the programmes app's reserve-pool records (written before this app existed) into the reserve pool."""

from django.db import migrations


def forwards(apps, schema_editor):
    ReservePoolEntry = apps.get_model("programmes", "ReservePoolEntry")
    PoolEntry = apps.get_model("pools", "PoolEntry")
    taken = set(PoolEntry.objects.filter(pool="reserve", exit_date__isnull=True).values_list("cadre_id", flat=True))
    rows = []
    for e in ReservePoolEntry.objects.order_by("date", "id"):
        if e.cadre_id in taken:
            continue
        taken.add(e.cadre_id)
        rows.append(PoolEntry(pool="reserve", cadre_id=e.cadre_id, source="batch", date=e.date, reason=e.reason[:300],
                              source_batch_id=e.source_batch_id, source_placement_id=e.placement_id,
                              programme_entry_id=e.pk))
    PoolEntry.objects.bulk_create(rows, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("pools", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
