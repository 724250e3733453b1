"""Fast bulk loading of generated rows: COPY on PostgreSQL, executemany on SQLite.

Rows are given as dicts per model; columns the generator does not set get the model field's default, so the
loader keeps working when apps add fields with defaults. Primary keys are allocated here (max(id)+1), so related
rows can be built without round trips; PostgreSQL sequences are reset afterwards.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, models

from hromada.audit.fields import RequestIdField, TermField
from hromada.core.fields import HexDigestField, NameKeyField, WordCodeField


def _converter(field, vendor: str):
    if isinstance(field, HexDigestField | WordCodeField | NameKeyField):
        return field.get_prep_value  # hex in the generated rows, bytes in the table; words, their codes; keys packed
    if isinstance(field, TermField | RequestIdField):   # the audit's words as codes, its request ids as bytes
        return lambda v: field.get_db_prep_value(v, connection)
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if vendor == "sqlite":
        if isinstance(field, models.DateTimeField):
            return lambda v: None if v is None else connection.ops.adapt_datetimefield_value(v)
        if isinstance(field, models.DateField):
            return lambda v: None if v is None else v.isoformat()
        if isinstance(field, models.DecimalField):
            return lambda v: None if v is None else str(v)
    return None


class BulkLoader:
    def __init__(self, *, batch: int = 20000):
        self.vendor = connection.vendor
        self.batch = batch
        self._next_ids: dict[type, int] = {}
        self.counts: dict[str, int] = {}

    def prepare(self, models_: Iterable) -> None:
        """Read every table's next id up front: on PostgreSQL the connection is busy during a COPY, so ids
        handed out while rows stream in must not need a query."""
        for model in models_:
            if model not in self._next_ids:
                last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                self._next_ids[model] = last + 1

    def next_id(self, model) -> int:
        if model not in self._next_ids:
            last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            self._next_ids[model] = last + 1
        value = self._next_ids[model]
        self._next_ids[model] = value + 1
        return value

    def columns(self, model):
        fields = [f for f in model._meta.concrete_fields]
        return fields, [f.column for f in fields]

    def write(self, model, rows: Iterable[dict]) -> int:
        fields, cols = self.columns(model)
        defaults = {}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = lambda: datetime.now().astimezone()
            elif f.has_default() or f.null or f.empty_strings_allowed:
                defaults[f.attname] = f.get_default
        converters = [(_converter(f, self.vendor)) for f in fields]
        names = [f.attname for f in fields]

        def as_tuple(row: dict):
            out = []
            for name, conv in zip(names, converters, strict=True):
                if name in row:
                    value = row[name]
                elif name in defaults:
                    value = defaults[name]()
                    row[name] = value
                else:
                    raise KeyError(f"{model.__name__}.{name} has no value and no default")
                out.append(conv(value) if conv and value is not None else value)
            return out

        written = 0
        table = connection.ops.quote_name(model._meta.db_table)
        col_sql = ", ".join(connection.ops.quote_name(c) for c in cols)
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor  # psycopg 3 cursor
                with raw.copy(f"COPY {table} ({col_sql}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(as_tuple(row))
                        written += 1
            else:
                sql = f"INSERT INTO {table} ({col_sql}) VALUES ({', '.join(['%s'] * len(cols))})"  # noqa: S608 (identifiers from model meta)
                chunk = []
                for row in rows:
                    chunk.append(as_tuple(row))
                    if len(chunk) >= self.batch:
                        cursor.executemany(sql, chunk)
                        written += len(chunk)
                        chunk = []
                if chunk:
                    cursor.executemany(sql, chunk)
                    written += len(chunk)
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + written
        return written

    def reset_sequences(self, models_: Iterable) -> None:
        if self.vendor != "postgresql":
            return
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
                cursor.execute(sql)


def json_safe(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
