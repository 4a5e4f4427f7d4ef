"""Many rows updated in one statement, each with its own values."""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def update_rows(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    """UPDATE `model` SET each of `fields` from `rows` of (pk, value, …), one statement.

    Django's bulk_update writes a CASE of every row for every field, and building it took
    longer than everything else a busy run host's write round does.
    """
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    columns = [quote(meta.get_field(name).column) for name in fields]
    names = ", ".join(["pk", *(f"v{n}" for n in range(len(fields)))])
    one_row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    assignments = ", ".join(f"{column} = v.v{n}" for n, column in enumerate(columns))
    sql = (
        f"WITH v({names}) AS (VALUES {', '.join([one_row] * len(rows))}) "
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{key} = v.pk"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
