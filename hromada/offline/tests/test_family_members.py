"""Family members typed in the offline form arrive as the online wizard keeps them: persons of the registry, members
of the applicant's household with their relation, and family-member participants of the case."""
import json
from datetime import date

from hromada.applications.models import Application, ParticipantRole
from hromada.demo.dataset import make_rnokpp
from hromada.persons.models import HouseholdMember, Person

from .test_sync import BIRTH, files, payload

CHILD_BIRTH = date(2024, 3, 2)


def spouse(rnokpp):
    return {"relation": "spouse", "person": {
        "last_name": "Гнатюк", "first_name": "Андрій", "patronymic": "Іванович", "birth_date": "1988-02-11", "sex": "M",
        "rnokpp": rnokpp, "id_document": {"type": "id_card", "number": "987654321"}}}


def newborn():
    # No РНОКПП yet: the birth certificate identifies the child, no reason is demanded.
    return {"relation": "child", "person": {
        "last_name": "Гнатюк", "first_name": "Марко", "patronymic": "Андрійович", "birth_date": CHILD_BIRTH.isoformat(),
        "sex": "M", "rnokpp": None, "no_rnokpp_reason": "", "id_document": {"type": "birth_certificate",
                                                                           "number": "I-ТП123456"}}}


def send(client, key, data):
    form = {"client_key": key, "payload": json.dumps(data), "author_id": client.user.pk,
            "desk_id": client.user.office_id, **files()}
    return client.post("offline/intake", form, files={})


def test_family_members_are_registered_as_household_and_participants(front, api):
    client = api(front)
    applicant_rnokpp = make_rnokpp(BIRTH, "F", 401)
    spouse_rnokpp = make_rnokpp(date(1988, 2, 11), "M", 402)
    data = {**payload(applicant_rnokpp), "members": [spouse(spouse_rnokpp), newborn()]}
    res = send(client, "family-1", data)
    assert res.status_code == 200, res.content
    app = Application.objects.get(pk=res.json()["id"])
    applicant = Person.objects.get(rnokpp=applicant_rnokpp)
    husband = Person.objects.get(rnokpp=spouse_rnokpp)
    child = Person.objects.get(last_name="Гнатюк", first_name="Марко")
    assert child.rnokpp in (None, "") and child.no_rnokpp_reason  # the "no number yet" fact, not a refusal
    assert {(p.person_id, p.role) for p in app.people} == {
        (applicant.pk, ParticipantRole.APPLICANT), (husband.pk, ParticipantRole.FAMILY_MEMBER),
        (child.pk, ParticipantRole.FAMILY_MEMBER)}
    assert {(h.member_id, h.relation) for h in HouseholdMember.objects.filter(person=applicant)} == {
        (husband.pk, "spouse"), (child.pk, "child")}
    # A second case of the same family reuses the registry's records (same number, birth date and surname).
    again = send(client, "family-2", {**payload(applicant_rnokpp), "members": [spouse(spouse_rnokpp)]})
    assert again.status_code == 409  # the applicant herself is registered: the specialist chooses
    again = client.post("offline/intake", {"client_key": "family-2", "use_existing_person_id": applicant.pk,
                                           "payload": json.dumps({**payload(applicant_rnokpp),
                                                                  "members": [spouse(spouse_rnokpp)]}),
                                           "author_id": front.pk, "desk_id": front.office_id, **files((7, 8, 9))},
                        files={})
    assert again.status_code == 200, again.content
    assert Person.objects.filter(rnokpp=spouse_rnokpp).count() == 1
    assert HouseholdMember.objects.filter(person=applicant).count() == 2


def test_an_invalid_family_member_refuses_the_whole_case_naming_the_member(front, api):
    client = api(front)
    applicant_rnokpp = make_rnokpp(BIRTH, "F", 403)
    good = make_rnokpp(date(1988, 2, 11), "M", 404)
    bad = spouse(good[:9] + str((int(good[9]) + 1) % 10))  # a wrong check digit
    no_relation = {**newborn(), "relation": "cousin"}
    for key, members in (("bad-1", [bad]), ("bad-2", [no_relation])):
        res = send(client, key, {**payload(applicant_rnokpp), "members": members})
        assert res.status_code == 422, res.content
        body = res.json()
        assert body["code"] == "invalid_family_member" and body["details"]["member"] == 0
        assert "Член сім’ї №1" in body["message"]
    # All or nothing: neither the applicant nor the case was kept; the corrected case goes through.
    assert not Person.objects.filter(rnokpp=applicant_rnokpp).exists()
    assert not Application.objects.filter(hromada=front.office.hromada, applicant_person__rnokpp=applicant_rnokpp).exists()
    res = send(client, "bad-1", {**payload(applicant_rnokpp), "members": [newborn()]})
    assert res.status_code == 200, res.content
