"""A filter condition compiled to SQL once and applied to many querysets (``CompiledCondition``).

Django builds and compiles a ``Q`` anew for every queryset it filters. For a condition that is large, the same for
many requests and holds no rows — an access rule with its subqueries — that is most of a short read's time (the
person rule: ~1.5 ms of a 9 ms list at 5 M applications, #24). ``compile_condition`` compiles it once; the result is
an expression any queryset of the model can be filtered by, at the price of a string substitution.

What it asks of the condition:
* **no rows in it**: its subqueries run with the statement that uses it (a list of ids would be frozen);
* **the model's own columns and uncorrelated subqueries**: a join, or a subquery that refers to the filtered row,
  could not follow the row's alias in every query (``compile_condition`` refuses both);
* **the cache key names all it depends on** (the caller's business: ``access.register(key=…)``).
It is meant for ``filter()``: never negated (``exclude``), annotated or grouped by.

``CompiledSelect`` goes one step further for a short read whose whole statement is the same on every request but
for a value or two (a lookup by a key within a user's scope): the statement is compiled once and each call only puts
its values in and builds the model instances, as Django's own iterable does.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import BooleanField, Field, Model, Q, QuerySet
from django.db.models.expressions import Expression
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.sql import Query

# The alias the filtered table has in the compiled SQL, replaced by the alias it has in each statement. Letters only,
# never a name of this schema; values are parameters, so it cannot appear in one.
BASE = "hromadacompiledbase"
_BASE_REF = re.compile(rf"\b{BASE}\.")


class CompiledCondition(Expression):
    """``WHERE`` SQL of a condition on the model's table, compiled once (``compile_condition``), as an expression:
    ``Model.objects.filter(condition)``. It follows the alias the table gets in each query — also when the queryset is
    used as a subquery."""
    conditional = True
    output_field = BooleanField()

    def __init__(self, table: str, sql: str, params: tuple, alias: str | None = None) -> None:
        super().__init__()
        self.table, self.sql, self.params, self.alias = table, sql, tuple(params), alias

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.sql[:60]!r}…, alias={self.alias!r})"

    def resolve_expression(self, query: Any = None, allow_joins: bool = True, reuse: Any = None,
                           summarize: bool = False, for_save: bool = False) -> CompiledCondition:
        # The table's alias is taken from the query filtered, once; later it changes only by ``relabeled_clone`` (a
        # queryset used as a subquery is resolved again against the outer query, whose table is another).
        if query is None or self.alias is not None:
            return self
        alias = query.get_initial_alias()
        if query.alias_map[alias].table_name != self.table:
            raise NotCompilable(f"a condition on {self.table} filters a query of {query.alias_map[alias].table_name}")
        return CompiledCondition(self.table, self.sql, self.params, alias)

    def relabeled_clone(self, change_map: dict[str, str]) -> CompiledCondition:
        return CompiledCondition(self.table, self.sql, self.params, change_map.get(self.alias or "", self.alias))

    def get_group_by_cols(self) -> list:
        return []

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple]:
        if self.alias is None:
            raise NotCompilable("a compiled condition is used only in a queryset's filter")
        alias = compiler.quote_name_unless_alias(self.alias)
        return "(" + _BASE_REF.sub(lambda _m: f"{alias}.", self.sql) + ")", self.params


class Keyed:
    """Arguments a compilation needs, compared and hashed by ``key`` only, for ``functools.lru_cache``: the cache
    keeps the key, and ``take()`` hands the arguments to the one compilation and forgets them."""
    __slots__ = ("key", "args")

    def __init__(self, key: Any, *args: Any) -> None:
        self.key, self.args = key, args

    def take(self) -> tuple:
        args, self.args = self.args, ()
        return args

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Keyed) and self.key == other.key


class NotCompilable(ImproperlyConfigured):
    """A condition ``compile_condition`` cannot compile, or a compiled one used where it cannot stand: a mistake in
    the code (never a ValueError, which a lookup of one object would take for "not found")."""


def compile_condition(model: type[Model], condition: Q, using: str) -> CompiledCondition | None:
    """``condition`` on ``model`` compiled for the database ``using``; None when it keeps every row (no filter
    needed). A condition that keeps no row compiles to a false one. ``NotCompilable`` for a condition that joins
    another table or correlates a subquery with the row."""
    query = model._base_manager.filter(condition).query
    base = query.get_initial_alias()
    # A join Django trimmed (a key compared by its id) stays in the map unreferenced: only the referenced ones count.
    joined = sorted(alias for alias in query.alias_map if alias != base and query.alias_refcount[alias])
    if joined:
        raise NotCompilable(f"{model.__name__}: the condition joins another table ({joined})")
    query = query.relabeled_clone({base: BASE})
    compiler = query.get_compiler(using=using)
    try:
        sql, params = compiler.compile(query.where)
    except FullResultSet:
        return None
    except EmptyResultSet:
        return CompiledCondition(model._meta.db_table, "1 = 0", ())
    if _in_subquery(sql):
        raise NotCompilable(f"{model.__name__}: the condition refers to the row inside a subquery")
    return CompiledCondition(model._meta.db_table, sql, tuple(params))


def _in_subquery(sql: str) -> bool:
    """Does a reference to the base table stand inside a parenthesised SELECT?"""
    depth_of_selects: list[int] = []   # the nesting depths at which a subquery opened
    depth = 0
    for match in re.finditer(rf"\(\s*SELECT\b|\(|\)|\b{BASE}\.", sql, flags=re.IGNORECASE):
        token = match.group(0)
        if token.startswith("("):
            depth += 1
            if len(token) > 1:
                depth_of_selects.append(depth)
        elif token == ")":
            if depth_of_selects and depth_of_selects[-1] == depth:
                depth_of_selects.pop()
            depth -= 1
        elif depth_of_selects:
            return True
    return False


_SLOT_PREFIX = "\x00hromada-slot-"
_SHAPES: dict[tuple, tuple] = {}    # CompiledSelect's selected columns, by model and columns' SQL (a handful)


def slot(n: int) -> str:
    """The placeholder of the ``n``-th value of a ``CompiledSelect``: a string no lookup value can be (a NUL)."""
    return f"{_SLOT_PREFIX}{n}\x00"


# Below any id or count this schema holds, and within a four-byte integer's range (it ends at -2,147,483,648): a
# key's placeholder must pass the integer preparation a text marker would fail, and Django answers a lookup of a
# four-byte key with a value outside its range as matching nothing (the small tables' keys, ``KeyToInteger``).
_INT_SLOT_BASE = -2_100_000_000


def int_slot(n: int) -> int:
    """The placeholder of the ``n``-th value of a ``CompiledSelect`` where an integer goes (a foreign key)."""
    return _INT_SLOT_BASE + n


def _is_marker(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith(_SLOT_PREFIX)
    return isinstance(value, int) and not isinstance(value, bool) and _INT_SLOT_BASE <= value < _INT_SLOT_BASE + 1000


class CompiledSelect:
    """A model query — its rows and their ``select_related`` rows — compiled once and run with other values.

    Build it from the queryset filtered ``field=slot(n)`` (``exact``; ``int_slot(n)`` for an integer) where the values
    go, and give the fields in slot order: ``run(values…)`` prepares each value as the field does for that lookup,
    sends the statement with them and returns the instances Django's iterable would. A value may go in more than
    one place where the same field's value goes (a list's area and the area of its total, an annotation in raw
    SQL); the annotations are set on each instance, as Django's iterable sets them. Building and compiling the statement of
    the РНОКПП lookup took half of its time in-process (0.7 of 1.4 ms, #24): the answer's SQL is the same for every
    user with the same rule key, only the number changes.

    What it keeps is read only (the SQL, its parameters, the selected columns): one instance serves every thread. The
    cache key that chooses an instance must name all the statement depends on but the slots (the caller's business,
    as for ``compile_condition``)."""

    def __init__(self, queryset: QuerySet, slots: Sequence[Field]) -> None:
        if (queryset._iterable_class is not ModelIterable or queryset._known_related_objects
                or queryset._prefetch_related_lookups or queryset.query.extra_select):
            raise NotCompilable("a compiled select returns model instances (no values(), extra columns, prefetches or "
                                "related managers' querysets)")
        self.using, self.slots = queryset.db, tuple(slots)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        self.sql, self.params = sql, tuple(params)
        positions: dict[Any, list[int]] = {}
        for i, value in enumerate(self.params):
            if _is_marker(value):
                positions.setdefault(value, []).append(i)
        wanted = [(slot(n), int_slot(n)) for n in range(len(self.slots))]
        found = [[marker for marker in pair if marker in positions] for pair in wanted]
        if any(len(markers) != 1 for markers in found) or len(positions) != len(self.slots):
            raise NotCompilable(f"each of the {len(self.slots)} slots must be a parameter of the statement, as text "
                                f"or as an integer: {params!r}")
        self.positions = tuple(tuple(positions[markers[0]]) for markers in found)
        # What the rows are read by, shared by every statement that selects the same columns (a cache holds many
        # statements of one shape: 22 KB each with their own columns, 3 KB without); the query itself is not kept.
        shape = (queryset.model, tuple(sql_ for _expr, (sql_, _params), _alias in compiler.select), compiler.col_count)
        self.select, self.klass_info, self.empty = _SHAPES.setdefault(
            shape, (compiler.select, compiler.klass_info, Query(queryset.model)))
        self.col_count = compiler.col_count
        self.annotations = tuple(compiler.annotation_col_map.items())
        fields = self.klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [f[0].target.attname for f in self.select[self.start:self.end]]

    def run(self, *values: Any) -> list[Model]:
        connection = connections[self.using]
        params = list(self.params)
        for places, field, value in zip(self.positions, self.slots, values, strict=True):
            # As an ``exact`` lookup passes its value: the field's own preparation, then the backend's.
            prepared = field.get_db_prep_value(value, connection, prepared=False)
            for position in places:
                params[position] = prepared
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        # Converters and populators are made per call: they are bound to this thread's connection.
        compiler = self.empty.get_compiler(using=self.using)
        converters = compiler.get_converters([column[0] for column in self.select[:self.col_count]])
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        populators = get_related_populators(self.klass_info, self.select, self.using)
        model = self.klass_info["model"]
        found = []
        for row in rows:
            obj = model.from_db(self.using, self.init_list, row[self.start:self.end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found
