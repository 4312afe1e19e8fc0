"""Columns of a cadre derived from their experience history, kept in step with every write of it.

``Cadre.first_rural_start`` is the start of the cadre's earliest experience entry at a 镇街 or 村社区 unit
(``RURAL_LEVELS``), or NULL. "Has rural experience as of D" — an entry at such a unit that started on or before
D — is then exactly ``first_rural_start <= D``, and "has none" is ``first_rural_start IS NULL OR
first_rural_start > D``: a column test on the cadre instead of an ``EXISTS`` over half a million experience rows
(the roster's ``rural`` filter).

Who refreshes it:

* ``Experience.save()`` and ``Experience.delete()`` (so the services, the admin, fixtures and the shell),
* bulk writes of experience, which bypass ``save()``: the roster importer, the LRMX importer, the demo city,
* a change of a unit's level (``units.services.unit_update``, the roster importer's unit sheet): every cadre with
  an entry at that unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import Min, Q

from miaopu.domain.vocab import RURAL_LEVELS

from .models import Cadre, Experience

#: Cadres per batch (an ``IN`` list the planner answers from the cadre index of the experience table).
CHUNK = 1000
#: Beyond this many cadres a refresh reads the experience table once instead of batch by batch.
WHOLE_TABLE = 30_000


def rural_q(value: bool, as_of: dt.date, prefix: str = "") -> Q:
    """Cadres with (``value=True``) or without rural experience as of ``as_of``, as a filter on the stored column.

    Same rows as ``Exists(Experience(cadre=…, unit__level__in=RURAL_LEVELS, start__lte=as_of))`` (and its negation).
    """
    field = f"{prefix}first_rural_start"
    if value:
        return Q(**{f"{field}__lte": as_of})
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": as_of})


def _firsts(cadre_ids: list[int] | None) -> dict[int, dt.date]:
    """cadre id → the start of their earliest entry at a rural unit (one grouped query; cadres without one absent).
    ``None``: every cadre (one pass over the experience table, cheaper than many index probes for a big import)."""
    rows = Experience.objects.filter(unit__level__in=sorted(RURAL_LEVELS))
    if cadre_ids is not None:
        rows = rows.filter(cadre_id__in=cadre_ids)
    return dict(rows.order_by().values("cadre_id").annotate(first=Min("start")).values_list("cadre_id", "first"))


def _write(values: list[tuple[int, dt.date | None]]) -> None:
    """Store (cadre id, first_rural_start) pairs: one statement per batch (``unnest`` on PostgreSQL, a prepared
    UPDATE run many times elsewhere), not one ORM update per cadre."""
    if not values:
        return
    table = connection.ops.quote_name(Cadre._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS c SET first_rural_start = v.d "  # noqa: S608 - the table name is ours
                "FROM unnest(%s::bigint[], %s::date[]) AS v(id, d) WHERE c.id = v.id",
                [[pk for pk, _d in values], [d for _pk, d in values]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET first_rural_start = %s WHERE id = %s",  # noqa: S608
                [(connection.ops.adapt_datefield_value(d), pk) for pk, d in values],
            )


def refresh_cadre(cadre_id: int) -> dt.date | None:
    """Recompute one cadre's ``first_rural_start`` and return it (two small indexed queries)."""
    value = _firsts([cadre_id]).get(cadre_id)
    Cadre.objects.filter(pk=cadre_id).update(first_rural_start=value)
    return value


def refresh_first_rural_start(*, cadre_ids: Iterable[int] | None = None) -> int:
    """Recompute ``first_rural_start`` of the given cadres (every cadre when ``cadre_ids`` is None).

    Up to ``WHOLE_TABLE`` cadres: per batch of ``CHUNK``, one indexed grouped query for the new values and one for
    the stored ones; beyond that, one pass over each table. Then one write of only the rows that differ — a
    re-import that changes no history rewrites no cadre. Returns how many changed.
    """
    ids = None if cadre_ids is None else sorted({pk for pk in cadre_ids if pk is not None})
    if ids is None or len(ids) > WHOLE_TABLE:
        wanted = None if ids is None else set(ids)
        firsts = _firsts(None)
        stored = Cadre.objects.order_by().values_list("pk", "first_rural_start").iterator(chunk_size=20000)
        updates = [
            (pk, firsts.get(pk)) for pk, old in stored if firsts.get(pk) != old and (wanted is None or pk in wanted)
        ]
        _write(updates)
        return len(updates)
    changed = 0
    for offset in range(0, len(ids), CHUNK):
        chunk = ids[offset : offset + CHUNK]
        firsts = _firsts(chunk)
        stored = Cadre.objects.filter(pk__in=chunk).values_list("pk", "first_rural_start")
        updates = [(pk, firsts.get(pk)) for pk, old in stored if firsts.get(pk) != old]
        _write(updates)
        changed += len(updates)
    return changed


def refresh_first_rural_start_for_units(unit_ids: Iterable[int]) -> int:
    """After units changed level: recompute every cadre with an experience entry at one of them."""
    units = sorted(set(unit_ids))
    cadres: set[int] = set()
    for offset in range(0, len(units), CHUNK):
        entries = Experience.objects.filter(unit_id__in=units[offset : offset + CHUNK])
        cadres.update(entries.order_by().values_list("cadre_id", flat=True).distinct())
    return refresh_first_rural_start(cadre_ids=cadres)
