"""#16, points 2–5: who may read a resident's data, and that every such read is audited and limited.

* a front office finds another hromada's resident only with proof she is present, by an explicit POST;
* a child of a protection case surfaces in no person-returning endpoint or page, for any role;
* the hromada administrator reads figures only (the written rule in ``accounts/access.py``);
* every read of personal data leaves one audit entry per page naming the records shown; reads and national
  lookups are limited per user; identity-document numbers are masked in lists.
"""
from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from hromada import testing
from hromada.accounts import access
from hromada.audit.models import AuditEntry
from hromada.children.services import PersonInput, register_child_case
from hromada.persons.models import PersonLink
from hromada.persons.services import register_person

from . import scope_world as sw

pytestmark = pytest.mark.django_db

CHILD = "Дитинчукозвягель"
ALL_ROLES = list(testing.DEMO_USERS)


def _child(front):
    """A girl the front office registered (РНОКПП, birth certificate), then the subject of a protection case."""
    born = date(2016, 4, 4)
    rnokpp = sw.valid_rnokpp(born, serial=611)
    person = register_person(actor=front, confirm_not_duplicate=True, data={
        "last_name": CHILD, "first_name": "Софія", "patronymic": "", "birth_date": born.isoformat(), "sex": "F",
        "rnokpp": rnokpp, "id_document": {"type": "birth_certificate", "number": "I-ЖТ 618273"},
        "address": {"settlement_code": sw.BARANIVKA, "street": "вул. Тиха", "house": "7", "flat": ""}})
    mother = register_person(actor=front, confirm_not_duplicate=True, data={
        "last_name": CHILD, "first_name": "Ірина", "patronymic": "", "birth_date": "1990-01-01", "sex": "F",
        "rnokpp": sw.valid_rnokpp(date(1990, 1, 1), serial=612), "id_document": {"type": "id_card",
                                                                                "number": "731955299"}})
    from hromada.persons.services import add_household_member

    add_household_member(actor=front, person_id=mother.pk, member_id=person.pk, relation="child")
    register_child_case(actor=testing.user("child"), child=PersonInput(
        last_name=CHILD, first_name="Софія", birth_date=born, sex="F", rnokpp=rnokpp),
        urgency="planned", reporter_type="school", circumstances=["neglect"], summary="Тест",
        reporter_name="ЗЗСО № 1", reporter_phone="+380501112233")
    return person, mother


def _person_reads(who, user, child, mother):
    """Every endpoint and page that returns persons, asked about the child in every way."""
    ui = Client(raise_request_exception=False)
    ui.force_login(user)
    api = testing.ApiClient(user)
    api.client.raise_request_exception = False
    doc = child.id_document_number
    queries = [child.rnokpp, CHILD, f"{CHILD} Софія", doc, "I-ЖТ618273"]
    calls = [("api ?rnokpp", lambda: api.get("persons", {"rnokpp": child.rnokpp})),
             ("api ?document", lambda: api.get("persons", {"document": doc})),
             ("api card", lambda: api.get(f"persons/{child.pk}")),
             ("api household", lambda: api.get(f"persons/{child.pk}/household")),
             ("api mother's household", lambda: api.get(f"persons/{mother.pk}/household")),
             ("web card", lambda: ui.get(f"/persons/{child.pk}/")),
             ("web mother's card", lambda: ui.get(f"/persons/{mother.pk}/")),
             ("take into work", lambda: api.post("persons/take-into-work", {
                 "rnokpp": child.rnokpp, "id_document_number": doc, "reason": "звернення за допомогою"})),
             ("take into work (web)", lambda: ui.post("/persons/take/", {
                 "rnokpp": child.rnokpp, "id_document_number": doc, "reason": "звернення за допомогою"})),
             ("duplicate check by name", lambda: api.post("persons", {
                 "last_name": CHILD, "first_name": "Софія", "birth_date": "2016-04-04", "sex": "F",
                 "rnokpp": sw.valid_rnokpp(date(2016, 4, 4), serial=640)})),
             ("duplicate check by РНОКПП", lambda: api.post("persons", {
                 "last_name": "Інша", "first_name": "Софія", "birth_date": "2016-04-04", "sex": "F",
                 "rnokpp": child.rnokpp})),
             ("web duplicate check", lambda: ui.post("/persons/new/", {
                 "last_name": CHILD, "first_name": "Софія", "birth_date": "2016-04-04", "sex": "F",
                 "rnokpp": sw.valid_rnokpp(date(2016, 4, 4), serial=641), "settlement_code": sw.BARANIVKA}))]
    for q in queries:
        calls += [(f"api ?q={q}", lambda q=q: api.get("persons", {"q": q})),
                  (f"web search {q}", lambda q=q: ui.get("/persons/", {"q": q})),
                  (f"web live search {q}", lambda q=q: ui.get("/persons/", {"q": q, "live": "1"},
                                                              headers={"HX-Request": "true"})),
                  (f"household picker {q}", lambda q=q: ui.get(f"/persons/{mother.pk}/household/add/", {"q": q}))]
    problems = []
    for label, call in calls:
        res = call()
        if res.status_code >= 500:
            problems.append(f"{who}: {label} → {res.status_code}")
        elif _shows(res, child, own_card=label in ("api card", "api household", "web card")):
            problems.append(f"{who}: {label} → {res.status_code} shows the child")
    return problems


def _shows(res, child, *, own_card: bool) -> bool:
    """Whether the answer carries the child's record (not merely the typed query echoed back)."""
    if own_card:
        return res.status_code == 200
    body = res.content.decode("utf-8", "ignore")
    if res.get("Content-Type", "").startswith("application/json"):
        found = []

        def walk(value):
            if isinstance(value, dict):
                if value.get("id") == child.pk or value.get("person_id") == child.pk:
                    found.append(value)
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)
        walk(res.json())
        return bool(found) or "2016-04-04" in body
    return f"person-{child.pk}" in body or f"/persons/{child.pk}/" in body or "04.04.2016" in body


@pytest.mark.parametrize("who", [r for r in ALL_ROLES if r != "child"])
def test_a_child_of_a_protection_case_surfaces_nowhere(who, demo):
    child, mother = _child(testing.user("front"))
    problems = _person_reads(who, testing.user(who), child, mother)
    assert not problems, "\n".join(problems)
    assert not PersonLink.objects.filter(person=child).exists()


def test_the_walk_can_fail(demo):
    """The walk can fail: a child who is not in a protection case is shown by the same probes."""
    _child_unused, mother = _child(testing.user("front"))
    # A girl of the same name without a protection case is found by the same probes (they are live).
    front = testing.user("front")
    other = register_person(actor=front, confirm_not_duplicate=True, data={
        "last_name": CHILD, "first_name": "Софія", "patronymic": "", "birth_date": "2016-04-05", "sex": "F",
        "rnokpp": sw.valid_rnokpp(date(2016, 4, 5), serial=650)})
    problems = _person_reads("front", front, other, mother)
    assert problems, "the walk must see a child who is not in a protection case"


# --- the hromada administrator: figures only ------------------------------------------------------------------
def test_the_hromada_administrator_reads_no_personal_data(demo):
    for action in access.PERSONAL_DATA_ACTIONS:
        assert not access.may(testing.user("hadmin"), action), action
    for role in access.FIGURES_ONLY:
        assert not access.PERMISSIONS["person.view"] & {role} and not access.PERMISSIONS["application.view"] & {role}
    world = sw.build_world()
    hadmin = testing.user("hadmin")
    ui = Client(raise_request_exception=False)
    ui.force_login(hadmin)
    api = testing.ApiClient(hadmin)
    app, doc = world.application, world.document
    for url in ("/persons/", f"/persons/?q={sw.SURNAME}", f"/persons/{world.person.pk}/", "/front/",
                f"/front/{app.pk}/", f"/front/{app.pk}/documents/{doc.pk}/", f"/back/{app.pk}/",
                f"/back/{app.pk}/documents/{doc.pk}/"):
        res = ui.get(url)
        assert res.status_code in (403, 404), (url, res.status_code)
        assert sw.SURNAME not in res.content.decode() and world.rnokpp not in res.content.decode()
    for url in ("persons", f"persons?rnokpp={world.rnokpp}", f"persons/{world.person.pk}", "applications",
                f"applications/{app.pk}", f"applications/{app.pk}/documents/{doc.pk}",
                f"applications/{app.pk}/decision.pdf", f"applications/{app.pk}/history"):
        res = api.get(url)
        assert res.status_code == 403, (url, res.status_code)   # the role may never: the outsider rule
    # Figures stay: monitoring and the billing acts.
    assert ui.get("/monitoring/").status_code == 200
    assert ui.get("/billing/").status_code == 200


# --- every read audited, limited, masked ------------------------------------------------------------------------
def test_every_list_page_leaves_one_entry_naming_the_records(demo):
    world = sw.build_world()
    front, back, auditor = testing.user("front"), testing.user("back"), testing.user("auditor")
    cases = [
        (front, "api", "persons", {"q": sw.SURNAME}, "person.search", world.person.pk),
        (front, "api", "persons", {"rnokpp": "1111111118"}, "person.search", None),     # a miss is a read too
        (front, "web", "/persons/", {"q": sw.SURNAME}, "person.search", world.person.pk),
        (front, "api", "applications", {}, "application.list", world.application.pk),
        (front, "web", "/front/", {}, "application.list", world.application.pk),
        (back, "api", "backoffice/queue", {}, "application.queue", None),
        (back, "web", "/back/", {}, "application.queue", None),
        (front, "api", f"persons/{world.person.pk}", {}, "person.view", world.person.pk),
        (front, "web", f"/persons/{world.person.pk}/", {}, "person.view", world.person.pk),
        (auditor, "web", "/audit/", {}, "audit.view", None),
    ]
    for user, kind, url, params, action, expect_id in cases:
        before = AuditEntry.objects.filter(action=action, actor=user).count()
        if kind == "api":
            res = testing.ApiClient(user).get(url, params)
        else:
            client = Client()
            client.force_login(user)
            res = client.get(url, params)
        assert res.status_code == 200, (url, res.status_code)
        entries = AuditEntry.objects.filter(action=action, actor=user).order_by("-id")
        assert entries.count() == before + 1, (url, action)
        details = entries.first().details
        assert details["count"] == len(details["ids"])
        if expect_id is not None:
            assert expect_id in details["ids"], (url, details)
        else:
            assert details["count"] == 0 or url != "persons", details
        assert world.rnokpp not in str(details) and sw.SURNAME not in str(details)


def test_duplicate_check_answers_are_audited(demo):
    world = sw.build_world()
    api = testing.ApiClient(testing.user("front2"))
    res = api.post("persons", {"last_name": sw.SURNAME, "first_name": "Ярослава", "birth_date": "1984-06-09",
                               "sex": "F", "rnokpp": sw.valid_rnokpp(date(1984, 6, 9), serial=700)})
    assert res.status_code == 409 and res.json()["code"] == "possible_duplicate"
    entry = AuditEntry.objects.filter(action="person.duplicate_check", actor=testing.user("front2")).get()
    assert entry.details["ids"] == [world.person.pk]


def test_reads_are_limited_per_user(demo, settings):
    settings.HROMADA_READ_LIMIT = (5, 300)
    front, front2 = testing.user("front"), testing.user("front2")
    api = testing.ApiClient(front)
    for _ in range(5):
        assert api.get("persons", {"q": "Коваленко"}).status_code == 200
    res = api.get("persons", {"q": "Коваленко"})
    assert res.status_code == 429 and res.json()["code"] == "rate_limited"
    assert "Зачекайте" in res.json()["message"]
    assert AuditEntry.objects.filter(action="security.alert", actor=front,
                                     details__kind="personal_data_read").count() == 1
    # Another user is not affected; a web page answers 429 with the Ukrainian message.
    assert testing.ApiClient(front2).get("persons", {"q": "Бондаренко"}).status_code == 200
    client = Client()
    client.force_login(front)
    page = client.get("/persons/", {"q": "Коваленко"})
    assert page.status_code == 429 and "Зачекайте" in page.content.decode()


def test_an_enumeration_of_rnokpp_stops_within_a_few_dozen_tries_and_alerts(demo):
    world = sw.build_world()
    api = testing.ApiClient(testing.user("front2"))
    statuses = []
    for serial in range(800, 840):
        candidate = sw.valid_rnokpp(date(1984, 6, 9), serial=serial)
        res = api.post("persons/take-into-work", {"rnokpp": candidate, "last_name": sw.SURNAME,
                                                  "first_name": "Ярослава", "birth_date": "1984-06-09",
                                                  "reason": "перебір номерів"})
        statuses.append(res.status_code)
        if res.status_code == 429:
            assert res.json()["code"] == "rate_limited"
    assert 429 in statuses and statuses.index(429) <= 12, statuses
    assert all(s == 429 for s in statuses[statuses.index(429):])
    assert AuditEntry.objects.filter(action="person.lookup_miss", actor=testing.user("front2")).count() \
        == statuses.index(429)
    assert AuditEntry.objects.filter(action="security.alert", actor=testing.user("front2")).count() == 1
    # Even the right number is refused now: the enumeration is over for this user.
    res = api.post("persons/take-into-work", {"rnokpp": world.rnokpp, "id_document_number": "731955206",
                                              "reason": "звернення"})
    assert res.status_code == 429
    assert not PersonLink.objects.exists()


def test_a_desks_normal_day_passes(demo):
    """A dozen residents from elsewhere and a few typos in one day: never refused."""
    world = sw.build_world()
    api = testing.ApiClient(testing.user("front2"))
    for _ in range(4):   # typos
        res = api.post("persons/take-into-work", {"rnokpp": world.rnokpp, "id_document_number": "731955200",
                                                  "reason": "звернення за допомогою"})
        assert res.status_code == 404
    for _ in range(12):
        res = api.post("persons/take-into-work", {"rnokpp": world.rnokpp, "id_document_number": "731955206",
                                                  "reason": "звернення за допомогою"})
        assert res.status_code == 200
    for _ in range(200):
        assert api.get("persons", {"q": sw.SURNAME}).status_code == 200


def test_document_numbers_are_masked_in_lists(demo):
    world = sw.build_world()
    rows = testing.ApiClient(testing.user("front")).get("persons", {"q": sw.SURNAME}).json()
    assert rows and all("731955206" not in str(r) for r in rows)
    assert any(r["id_document"] and r["id_document"]["number"].endswith("206") for r in rows)
    client = Client()
    client.force_login(testing.user("front"))
    assert "731955206" not in client.get("/persons/", {"q": sw.SURNAME}).content.decode()
    # The card (one person, audited) shows the number in full.
    assert testing.ApiClient(testing.user("front")).get(f"persons/{world.person.pk}").json()[
        "id_document"]["number"] == "731955206"
