"""Import of the official КАТОТТГ codifier file.

The file is validated whole before anything is written; the import runs in one transaction, so a
bad or truncated file changes nothing. Re-importing the same edition changes nothing; a newer
edition updates names and parents in place (primary keys stay, references keep working) and
marks units that disappeared as inactive instead of deleting them.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from hromada.core.error_codes import ErrorCode
from hromada.core.errors import ValidationFailed
from hromada.core.text import normalize_name

from .models import CRIMEA_PREFIXES, Category, Edition, Unit
from .selectors import forget_unit_codes
from .signals import codifier_imported

CODE_RE = re.compile(r"^UA\d{17}$")
EXPECTED_COLUMNS = 7
VALID_CATEGORIES = {c.value for c in Category}
# Which category may stand at which level column (0-based) of the file.
LEVEL_CATEGORIES = {
    0: {"O", "K"},
    1: {"P"},
    2: {"H"},
    3: {"M", "T", "X", "C"},
    4: {"B"},
}
BATCH = 2000
SELF_LINK = {1: "oblast_id", 2: "raion_id", 3: "hromada_id"}


class CodifierError(ValidationFailed):
    code = ErrorCode.INVALID_CODIFIER


@dataclass
class Row:
    line: int
    code: str
    category: str
    name: str
    level: int  # 1..5
    parent_code: str | None
    oblast_code: str
    raion_code: str | None
    hromada_code: str | None


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    by_category: Counter = field(default_factory=Counter)
    # Existing units the import moved to another raion (their residents' ``Person.raion`` follows).
    raion_moved: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def _open_text(path: Path) -> io.TextIOBase:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodifierError(_("Файл кодифікатора має бути в кодуванні UTF-8.")) from exc
    return io.StringIO(text, newline="")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def edition_from_name(path: Path) -> date | None:
    match = re.search(r"(\d{2})-(\d{2})-(\d{4})", Path(path).name)
    if not match:
        return None
    day, month, year = (int(x) for x in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_codifier(path: Path, *, progress: Callable[[int], None] | None = None) -> list[Row]:
    """Read and validate the whole file; raise CodifierError listing the first problems."""
    path = Path(path)
    if not path.exists():
        raise CodifierError(_("Файл не знайдено: %(path)s") % {"path": path})
    reader = csv.reader(_open_text(path), delimiter=";")
    header = next(reader, None)
    if not header or len(header) != EXPECTED_COLUMNS or "Категорія" not in header[5]:
        raise CodifierError(
            _("Це не файл кодифікатора КАТОТТГ: очікується заголовок із %(n)d стовпців "
              "(«Перший рівень» … «Категорія об’єкта», «Назва об’єкта»).") % {"n": EXPECTED_COLUMNS})
    rows: list[Row] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line_no, cells in enumerate(reader, start=2):
        if progress and line_no % 1000 == 0:
            progress(1000)
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != EXPECTED_COLUMNS:
            errors.append(_("рядок %(line)d: %(got)d стовпців замість %(n)d (файл обрізаний?)")
                          % {"line": line_no, "got": len(cells), "n": EXPECTED_COLUMNS})
            continue
        levels = [c.strip() for c in cells[:5]]
        category = cells[5].strip()
        name = " ".join(cells[6].split())  # official text, only trimmed (319 names end in a space)
        filled = [i for i, c in enumerate(levels) if c]
        problem = None
        if not filled:
            problem = _("немає коду")
        elif any(not CODE_RE.match(levels[i]) for i in filled):
            problem = _("код не відповідає формату UA + 17 цифр")
        elif category not in VALID_CATEGORIES:
            problem = _("невідома категорія «%(cat)s»") % {"cat": category}
        elif category not in LEVEL_CATEGORIES[filled[-1]]:
            problem = _("категорія «%(cat)s» не може стояти на рівні %(level)d") % {
                "cat": category, "level": filled[-1] + 1}
        elif not name:
            problem = _("порожня назва")
        elif levels[filled[-1]] in seen:
            problem = _("код %(code)s повторюється") % {"code": levels[filled[-1]]}
        if problem:
            errors.append(_("рядок %(line)d: %(problem)s") % {"line": line_no, "problem": problem})
            continue
        own = filled[-1]
        code = levels[own]
        seen.add(code)
        parent_index = filled[-2] if len(filled) > 1 else None
        rows.append(Row(
            line=line_no, code=code, category=category, name=name, level=own + 1,
            parent_code=levels[parent_index] if parent_index is not None else None,
            oblast_code=levels[0] or code,
            raion_code=levels[1] or None,
            hromada_code=levels[2] or None,
        ))
    missing_parents = sorted({r.parent_code for r in rows if r.parent_code and r.parent_code not in seen})
    if missing_parents:
        existing = set(Unit.objects.filter(code__in=missing_parents).values_list("code", flat=True))
        for code in missing_parents:
            if code not in existing:
                errors.append(_("батьківської одиниці %(code)s немає ні у файлі, ні в базі") % {"code": code})
    if not rows and not errors:
        errors.append(_("файл не містить жодного запису"))
    if errors:
        shown = "; ".join(errors[:10])
        more = len(errors) - 10
        if more > 0:
            shown += _("; і ще %(n)d помилок") % {"n": more}
        raise CodifierError(_("Файл кодифікатора відхилено, нічого не змінено: %(errors)s") % {"errors": shown},
                            details={"errors": errors[:100]})
    return rows


def _wanted_state(r: Row, ids: dict[str, int]) -> dict:
    return {
        "category": r.category, "name": r.name, "level": r.level,
        "parent_id": ids[r.parent_code] if r.parent_code else None,
        "oblast_id": ids.get(r.oblast_code),
        "raion_id": ids.get(r.raion_code) if r.raion_code else None,
        "hromada_id": ids.get(r.hromada_code) if r.hromada_code else None,
        "is_active": True, "in_crimea": r.code.startswith(CRIMEA_PREFIXES),
    }


def _batched(items: list, size: int = BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@transaction.atomic
def import_codifier(path: Path, *, partial: bool = False, edition: date | None = None,
                    progress: Callable[[int], None] | None = None) -> ImportResult:
    """Load an official codifier file; see the module docstring for the guarantees.

    ``partial`` (e.g. one oblast for a test or a pilot) skips deactivating units absent from it.
    """
    path = Path(path)
    rows = parse_codifier(path, progress=progress)
    edition = edition or edition_from_name(path)
    result = ImportResult(total=len(rows))
    result.by_category.update(r.category for r in rows)

    fields = ("id", "code", "category", "name", "level", "parent_id", "oblast_id", "raion_id",
              "hromada_id", "is_active", "in_crimea", "edition")
    existing = {v[1]: dict(zip(fields, v)) for v in Unit.objects.values_list(*fields)}

    # Ancestors always sit on a lower level, so going level by level every new unit is created
    # with its links already resolved; only units that really changed are updated afterwards.
    ids = {code: cur["id"] for code, cur in existing.items()}
    to_update: list[Unit] = []
    for level in range(1, 6):
        level_rows = [r for r in rows if r.level == level]
        new_units = []
        for r in level_rows:
            wanted = _wanted_state(r, ids)
            current = existing.get(r.code)
            if current is None:
                new_units.append(Unit(code=r.code, name_key=normalize_name(r.name), edition=edition, **wanted))
            elif all(current[k] == v for k, v in wanted.items()):
                result.unchanged += 1
            else:
                result.updated += 1
                if current["raion_id"] != wanted["raion_id"]:
                    result.raion_moved.append(current["id"])
                to_update.append(Unit(id=current["id"], code=r.code, name_key=normalize_name(r.name),
                                      edition=edition, **wanted))
        for chunk in _batched(new_units):
            Unit.objects.bulk_create(chunk, batch_size=BATCH)
            if progress:
                progress(len(chunk))
        result.created += len(new_units)
        if new_units and level in SELF_LINK:
            # A new oblast/raion/hromada points to itself; its id exists only now.
            field = SELF_LINK[level]
            Unit.objects.filter(level=level, **{f"{field}__isnull": True}).update(**{field: F("id")})
        if new_units:
            ids.update(Unit.objects.filter(level=level, code__in=[u.code for u in new_units])
                       .values_list("code", "id"))
    update_fields = ["category", "name", "name_key", "level", "parent_id", "oblast_id", "raion_id",
                     "hromada_id", "is_active", "in_crimea", "edition"]
    for chunk in _batched(to_update, 200):
        Unit.objects.bulk_update(chunk, update_fields)
        if progress:
            progress(len(chunk))
    forget_unit_codes([u.code for u in to_update])

    if not partial:
        in_file = {r.code for r in rows}
        gone = [code for code, cur in existing.items() if cur["is_active"] and code not in in_file]
        for chunk in _batched(gone):
            Unit.objects.filter(code__in=chunk).update(is_active=False)
        result.deactivated = len(gone)

    if result.changed:
        codifier_imported.send(sender=Unit, result=result)
        Edition.objects.create(source=path.name, sha256=file_sha256(path), edition=edition,
                               created=result.created, updated=result.updated,
                               deactivated=result.deactivated, total=result.total)
    return result
