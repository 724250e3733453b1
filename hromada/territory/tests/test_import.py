import gzip
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hromada.territory.management.commands.import_katottg import DEFAULT_FILE
from hromada.territory.models import Category, Unit
from hromada.territory.services import CodifierError, import_codifier

HEADER = "Перший рівень;Другий рівень;Третій рівень;Четвертий рівень;Додатковий рівень;Категорія об’єкта;Назва об’єкта"
O, P, H, C = "UA99000000000000001", "UA99010000000000002", "UA99010010000000003", "UA99010010010000004"
C2 = "UA99010010020000005"


def write(tmp_path: Path, lines: list[str], name="kodifikator-01-01-2030.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8"))
    return path


def small(tmp_path, village="Тестове ", name="kodifikator-01-01-2030.csv"):
    return write(tmp_path, [
        f"{O};;;;;O;Тестова",
        f"{O};{P};;;;P;Тестовий",
        f"{O};{P};{H};;;H;Тестівська ",
        f"{O};{P};{H};{C};;C;{village}",
    ], name)


def test_full_official_codifier_counts(db):
    """The session fixture imported the official 16.05.2025 edition; every category is complete."""
    counts = {c: Unit.objects.filter(category=c, code__startswith="UA", is_active=True).exclude(
        code__startswith="UA99").count() for c in "OKPHMXCB"}
    assert counts == {"O": 25, "K": 2, "P": 136, "H": 1772, "M": 461, "X": 2007, "C": 27237, "B": 108}
    assert Unit.objects.filter(category="H", in_crimea=True).count() == 303
    assert not Unit.objects.filter(name__endswith=" ").exists()  # 319 trailing spaces stripped


def test_reimport_of_official_file_changes_nothing(db):
    result = import_codifier(DEFAULT_FILE)
    assert result.total == 31748
    assert (result.created, result.updated, result.deactivated) == (0, 0, 0)
    assert result.unchanged == 31748


def test_import_links_ancestors(db):
    baranivska = Unit.objects.get(code="UA18080010000090720")
    assert baranivska.category == Category.HROMADA
    assert baranivska.parent.name == "Звягельський"
    assert baranivska.oblast.name == "Житомирська"
    assert baranivska.hromada_id == baranivska.id
    village = Unit.objects.filter(hromada=baranivska, category="C").first()
    assert village.raion == baranivska.raion and village.oblast == baranivska.oblast
    kyiv_district = Unit.objects.filter(category="B", oblast__code="UA80000000000093317").first()
    assert kyiv_district.parent.name == "Київ"


def test_small_file_idempotent_and_newer_edition_updates_in_place(db, tmp_path):
    first = import_codifier(small(tmp_path), partial=True)
    assert first.created == 4 and first.by_category["C"] == 1
    village = Unit.objects.get(code=C)
    assert village.name == "Тестове"
    assert import_codifier(small(tmp_path), partial=True).changed is False

    # A newer edition renames the village and adds a second one: same primary key, references survive.
    newer = write(tmp_path, [
        f"{O};;;;;O;Тестова", f"{O};{P};;;;P;Тестовий", f"{O};{P};{H};;;H;Тестівська",
        f"{O};{P};{H};{C};;C;Нове Тестове", f"{O};{P};{H};{C2};;C;Друге",
    ], "kodifikator-01-02-2030.csv")
    result = import_codifier(newer, partial=True)
    assert (result.created, result.updated) == (1, 1)
    village.refresh_from_db()
    assert village.name == "Нове Тестове" and village.pk == Unit.objects.get(code=C).pk


def test_unit_missing_from_full_edition_is_deactivated_not_deleted(db, tmp_path):
    import_codifier(small(tmp_path), partial=True)
    # Full mode over a file without the test village: every other unit of the country is absent too,
    # so use a transaction-local check on the village only.
    only_parents = write(tmp_path, [f"{O};;;;;O;Тестова", f"{O};{P};;;;P;Тестовий", f"{O};{P};{H};;;H;Тестівська"])
    result = import_codifier(only_parents, partial=False)
    assert result.deactivated >= 1
    assert Unit.objects.get(code=C).is_active is False


@pytest.mark.parametrize("lines, fragment", [
    ([f"{O};;;;;O;Тестова", f"{O};{P};;;P;Тестовий"], "стовпців"),                 # truncated row
    ([f"{O};;;;;O;Тестова", "UA123;;;;;P;Зламаний"], "UA + 17"),                   # bad code
    ([f"{O};;;;;O;Тестова", f"{O};{P};;;;Z;Дивний"], "невідома категорія"),         # unknown category
    ([f"{O};{P};{H};;;H;Сирота"], "батьківської одиниці"),                          # parent missing
    ([f"{O};;;;;O;Тестова", f"{O};;;;;O;Двійник"], "повторюється"),                  # duplicate code
    ([], "жодного запису"),                                                           # empty
])
def test_bad_file_is_refused_and_changes_nothing(db, tmp_path, lines, fragment):
    before = Unit.objects.count()
    with pytest.raises(CodifierError) as err:
        import_codifier(write(tmp_path, lines), partial=True)
    assert fragment in str(err.value)
    assert Unit.objects.count() == before


def test_not_a_codifier_file(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(CodifierError, match="Це не файл кодифікатора"):
        import_codifier(path)


def test_gzip_and_command_output(db, tmp_path, capsys):
    plain = small(tmp_path)
    packed = tmp_path / "kodifikator-01-01-2030.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    call_command("import_katottg", str(packed), "--partial", "--no-progress")
    out = capsys.readouterr().out
    assert "Територіальна громада: 1" in out and "Створено: 4" in out
    call_command("import_katottg", str(packed), "--partial", "--no-progress")
    assert "змін немає" in capsys.readouterr().out


def test_command_error_is_clear(db, tmp_path):
    with pytest.raises(CommandError, match="Файл не знайдено"):
        call_command("import_katottg", str(tmp_path / "nope.csv"), "--no-progress")
