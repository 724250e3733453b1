"""#24, bytes: a case's applicant is its ``applicant_person`` only (migration 0023), not also a participant row."""
import pytest
from django.db import connection

from hromada.applications.models import Application, Participant, ParticipantRole
from hromada.applications.services.intake import create_application, update_draft_details
from hromada.applications.services.receipts import content_key
from hromada.testing import migrate_all_forward

from .factories import make_person
from .test_history import _migrate


@pytest.mark.django_db
def test_a_stray_applicant_row_of_a_rolling_upgrade_is_ignored(front, person):
    """A host still on the old code may write the applicant as a participant while others run the new code: the
    case's people, its receipt's content and its members' edit read her from the column, once."""
    member = make_person(front.office.hromada, first_name="Софія")
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk,
                             member_ids=[member.pk])
    clean = Application.objects.select_related("applicant_person").get(pk=app.pk)
    people, key = [(p.person_id, p.role) for p in clean.people], content_key(clean)
    Participant.objects.create(application=app, person=person, role=ParticipantRole.APPLICANT)
    stray = Application.objects.select_related("applicant_person").get(pk=app.pk)
    assert [(p.person_id, p.role) for p in stray.people] == people == [(person.pk, "applicant"),
                                                                        (member.pk, "family_member")]
    assert content_key(stray) == key
    update_draft_details(actor=front, application_id=app.pk, members=[])
    assert not Participant.objects.filter(application=app).exists()   # the straggler went with the members


@pytest.mark.django_db(transaction=True)   # the schema goes back and forth
def test_the_migration_moves_the_applicants_into_the_column_and_back(front, person):
    member = make_person(front.office.hromada, first_name="Софія")
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=person.pk,
                             member_ids=[member.pk])
    other = create_application(actor=front, service_code="birth_assistance", applicant_id=member.pk)
    try:
        old = _migrate("0022_history_in_row")
        rows = old.get_model("applications", "Participant").objects.filter(application_id__in=[app.pk, other.pk])
        assert sorted(rows.values_list("application_id", "person_id", "role")) == sorted([
            (app.pk, person.pk, "applicant"), (app.pk, member.pk, "family_member"), (other.pk, member.pk, "applicant")])
        # A case written before the column was filled: its applicant only in the participant row.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE applications_application SET applicant_person_id = NULL WHERE id = %s", [other.pk])
    finally:
        migrate_all_forward()
    mine = [app.pk, other.pk]
    assert list(Participant.objects.filter(application_id__in=mine).values_list(
        "application_id", "person_id", "role")) == [(app.pk, member.pk, "family_member")]
    assert dict(Application.objects.filter(id__in=mine).values_list("id", "applicant_person_id")) == {
        app.pk: person.pk, other.pk: member.pk}
    assert not Participant.objects.filter(role="applicant").exists()   # the demo's cases too
