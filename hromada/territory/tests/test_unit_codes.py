"""A code's unit is looked up once and cached (every person list by area asks for it); an import or an edit that
changes a unit is seen at once."""
from hromada.territory.models import Unit
from hromada.territory.selectors import unit_id_of_code
from hromada.territory.services import import_codifier

from .test_import import C, H, O, P, small, write


def test_a_code_is_cached_and_a_change_of_its_unit_is_seen_at_once(db, tmp_path, django_assert_num_queries,
                                                                    django_capture_on_commit_callbacks):
    import_codifier(small(tmp_path), partial=True)
    village = Unit.objects.get(code=C)
    assert unit_id_of_code(f" {C.lower()} ", ("C",)) == village.pk
    with django_assert_num_queries(0):
        assert unit_id_of_code(C, ("C", "M")) == village.pk
        assert unit_id_of_code(C, ("M",)) is None         # of another category: refused from the cache too
        assert unit_id_of_code(C) == village.pk             # of any category (the access layer's slot)
    with django_assert_num_queries(1):
        assert unit_id_of_code("UA99999999999999999", ("C",)) is None
    with django_assert_num_queries(1):
        assert unit_id_of_code("UA99999999999999999", ("C",)) is None   # an unknown code is not kept

    # The next edition makes the village a селище: the import forgets the code once it commits.
    newer = write(tmp_path, [f"{O};;;;;O;Тестова", f"{O};{P};;;;P;Тестовий", f"{O};{P};{H};;;H;Тестівська",
                             f"{O};{P};{H};{C};;X;Тестове"], "kodifikator-01-02-2030.csv")
    with django_capture_on_commit_callbacks(execute=True):
        assert import_codifier(newer, partial=True).updated == 1
    assert unit_id_of_code(C, ("C",)) is None and unit_id_of_code(C, ("X",)) == village.pk

    # A unit saved one by one (the admin) is forgotten too.
    village.refresh_from_db()
    village.category = "C"
    with django_capture_on_commit_callbacks(execute=True):
        village.save()
    assert unit_id_of_code(C, ("C",)) == village.pk
