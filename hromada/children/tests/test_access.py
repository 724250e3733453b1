"""The access matrix of child cases: other roles may never open one — 403 on every page and endpoint, whatever
the case (the outsider rule of accounts.access); the children's service of another hromada/raion meets 404, as
for a missing case; a case is absent from every other list and export; every read is audited; an anonymous
reporter never appears anywhere."""
import importlib
import json
import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from hromada.accounts import access
from hromada.audit.models import AuditEntry
from hromada.children import services
from hromada.children.models import ChildCase, Event
from hromada.persons import selectors as person_selectors
from hromada.persons import services as person_services
from hromada.persons.models import Person
from hromada.persons.tests.factories import make_person

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["front", "front2", "back", "back2", "head", "hadmin", "oblast", "ministry", "auditor", "sysadmin"]
CHILD_NAME = "Зеленюк"
ANON_NAME = "Сусідка Чорноморець"
ANON_PHONE = "+380671239876"


@pytest.fixture
def case(make_case, child):
    case = make_case(child, child={"last_name": CHILD_NAME, "first_name": "Ярема"})
    services.start_assessment(actor=child, case_id=case.pk)
    return case


def _text(res) -> str:
    """The body as text, JSON \\u-escapes undone, so a name is found whatever the encoding."""
    raw = b"".join(res.streaming_content) if getattr(res, "streaming", False) else res.content
    body = raw.decode(errors="replace")
    try:
        return body + json.dumps(json.loads(body), ensure_ascii=False)
    except ValueError:
        return body


def _api_paths(case):
    cid = case.pk
    gets = [f"child-cases/{cid}", "child-cases/reference"]
    posts = [f"child-cases/{cid}/assessment/start", f"child-cases/{cid}/assessment", f"child-cases/{cid}/decision",
             f"child-cases/{cid}/plan", f"child-cases/{cid}/measures", f"child-cases/{cid}/measures/1/done",
             f"child-cases/{cid}/reviews", f"child-cases/{cid}/referrals", f"child-cases/{cid}/referrals/1/feedback",
             f"child-cases/{cid}/close", "child-cases"]
    return gets, posts


def _ui_paths(case):
    cid = case.pk
    gets = [f"/children/{cid}/"]
    posts = [f"/children/{cid}/assessment/start/", f"/children/{cid}/assessment/", f"/children/{cid}/decision/",
             f"/children/{cid}/plan/", f"/children/{cid}/measures/", f"/children/{cid}/measures/1/done/",
             f"/children/{cid}/reviews/", f"/children/{cid}/referrals/", f"/children/{cid}/referrals/1/feedback/",
             f"/children/{cid}/close/"]
    return gets, posts


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_get_403_everywhere(role, case, api, request):
    user = request.getfixturevalue(role)
    client = api(user)
    gets, posts = _api_paths(case)
    def missing(paths):
        return [p.replace(f"/{case.pk}", "/987654321") for p in paths]
    for path in gets + ["child-cases"] + missing(gets):
        res = client.get(path)
        assert res.status_code == 403, (role, path, res.status_code)
        assert res.json()["code"] == "forbidden"
    for path in posts + missing(posts):
        res = client.post(path, {"needs": "x", "findings": "y", "outcome": "other", "note": "x"})
        assert res.status_code == 403, (role, path, res.status_code)   # the same for a case that does not exist
    web = Client()
    web.force_login(user)
    ui_gets, ui_posts = _ui_paths(case)
    for path in ui_gets + ["/children/", "/children/new/", "/children/987654321/"]:
        assert web.get(path).status_code == 403, (role, path)
    for path in ui_posts + ["/children/new/"]:
        assert web.post(path, {"start-started_on": "2026-01-01"}).status_code == 403, (role, path)
    assert ChildCase.objects.get(pk=case.pk).version == case.version + 1   # nothing changed (only start)
    assert "Справи дітей" not in web.get("/").content.decode()


def test_children_service_of_another_hromada_gets_404(case, child2, api):
    client = api(child2)
    gets, posts = _api_paths(case)
    for path in gets[:1]:
        assert client.get(path).status_code == 404
    for path in posts[:-1]:
        res = client.post(path, {"needs": "x", "findings": "y", "outcome": "other", "note": "x"})
        assert res.status_code == 404, (path, res.status_code)
    listing = client.get("child-cases", {"status": ""}).json()
    assert listing["count"] == 0 and listing["results"] == []
    web = Client()
    web.force_login(child2)
    ui_gets, ui_posts = _ui_paths(case)
    for path in ui_gets + ui_posts:
        method = web.get if path in ui_gets else web.post
        assert method(path).status_code == 404, path
    page = _text(web.get("/children/?status="))
    assert CHILD_NAME not in page and case.number not in page


def test_own_and_raion_children_service_see_the_case(case, child, child_raion, api):
    for user in (child, child_raion):
        res = api(user).get(f"child-cases/{case.pk}")
        assert res.status_code == 200
        assert res.json()["number"] == case.number
        listing = api(user).get("child-cases").json()
        assert [r["number"] for r in listing["results"]] == [case.number]


def _parameterless_get_paths():
    """Every URL of the project without path parameters (pages, lists, exports), except logout/admin."""
    paths = []

    def walk(resolver, prefix):
        for p in resolver.url_patterns:
            pattern = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p, pattern)
            elif isinstance(p, URLPattern) and "<" not in pattern and "(?P" not in pattern and "^" not in pattern:
                paths.append("/" + pattern)
    walk(get_resolver(), "")
    # /api/v1/persons is covered by test_child_not_in_person_search_of_other_roles below.
    skip = re.compile(r"^/(admin/|i18n/|accounts/logout|api/v1/docs|api/v1/openapi|api/v1/persons$)")
    return sorted({p for p in paths if not skip.match(p)})


@pytest.mark.parametrize("role", ["front", "back", "head", "hadmin", "oblast", "ministry", "auditor", "sysadmin",
                                  "child2"])
def test_no_child_case_in_any_list_or_export(role, case, api, request):
    """Sweep every parameterless page and API list/export as each other role: neither the case number
    nor the child's surname may appear."""
    user = request.getfixturevalue(role)
    # Other apps' pages may refuse a role with an exception: that is their business, not a leak.
    web, client = Client(raise_request_exception=False), api(user)
    client.client.raise_request_exception = False
    web.force_login(user)
    for path in _parameterless_get_paths():
        body = _text(client.get(path) if path.startswith("/api/") else web.get(path))
        assert case.number not in body, (role, path)
        assert CHILD_NAME not in body, (role, path)


def test_reads_are_audited(case, child, api):
    before = AuditEntry.objects.filter(action="childcase.view", object_id=str(case.pk)).count()
    api(child).get(f"child-cases/{case.pk}")
    web = Client()
    web.force_login(child)
    web.get(f"/children/{case.pk}/")
    entries = AuditEntry.objects.filter(action="childcase.view", object_id=str(case.pk)).order_by("id")
    assert entries.count() == before + 2
    last = entries.last()
    assert last.actor_id == child.pk and last.hromada_id == case.hromada_id
    web.get("/children/")
    api(child).get("child-cases")
    assert AuditEntry.objects.filter(action="childcase.list", actor=child).count() >= 2


def test_probes_by_others_leave_the_case_unread(case, front, api):
    api(front).get(f"child-cases/{case.pk}")
    assert not AuditEntry.objects.filter(action="childcase.view", actor=front).exists()


def test_anonymous_reporter_never_returned(child, api):
    payload = {
        "child": {"last_name": "Гайова", "first_name": "Олена", "birth_date": "2016-05-01", "sex": "F"},
        "urgency": "urgent", "reporter_type": "anonymous", "circumstances": ["domestic_violence"],
        "reporter": {"name": ANON_NAME, "phone": ANON_PHONE, "organisation": "x", "details": "живе поруч"},
    }
    client = api(child)
    res = client.post("child-cases", payload)
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["reporter"] is None and body["reporter_type"]["code"] == "anonymous"
    cid = body["id"]
    responses = [res, client.get(f"child-cases/{cid}"), client.get("child-cases")]
    web = Client()
    web.force_login(child)
    responses += [web.get(f"/children/{cid}/"), web.get("/children/")]
    for r in responses:
        text = _text(r)
        assert ANON_NAME not in text and ANON_PHONE not in text and "живе поруч" not in text
    assert "Анонімно" in _text(responses[3])
    for entry in AuditEntry.objects.filter(object_type="children.childcase", object_id=str(cid)):
        assert ANON_NAME not in str(entry.details) and ANON_PHONE not in str(entry.details)
    for event in Event.objects.filter(case_id=cid):
        assert ANON_NAME not in str(event.data) + event.comment


def test_named_reporter_shown_to_children_service(child, api):
    payload = {
        "child": {"last_name": "Гайова", "first_name": "Олена", "birth_date": "2016-05-01", "sex": "F"},
        "urgency": "planned", "reporter_type": "police", "circumstances": ["neglect"],
        "reporter": {"name": "Ювенальна превенція", "phone": "+380442223344"},
    }
    body = api(child).post("child-cases", payload).json()
    assert body["reporter"]["name"] == "Ювенальна превенція"


@pytest.mark.parametrize("role", ["front", "back", "hadmin"])
def test_child_not_in_person_search_of_other_roles(case, api, request, role):
    client = api(request.getfixturevalue(role))
    for params in ({"q": CHILD_NAME}, {}):
        res = client.get("persons", params)
        assert CHILD_NAME not in _text(res), params


def test_a_case_flags_its_child_and_not_her_parents(case, make_case, child):
    def flagged():
        return set(Person.objects.filter(in_child_case=True).values_list("pk", flat=True))

    assert flagged() == {case.child_id}
    with_parent = make_case(child, child={"first_name": "Ніна", "sex": "F"}, representatives=[
        services.RepresentativeInput(role="mother", person=services.PersonInput(
            last_name="Зеленюк", first_name="Алла", birth_date=case.child.birth_date.replace(year=1990), sex="F"))])
    assert flagged() == {case.child_id, with_parent.child_id}     # parents are not hidden


def test_a_person_saved_from_before_her_case_keeps_her_flag(make_case, child, front):
    """A person read before a case was registered for her, then saved (an edit of her address in another request):
    the save leaves the flag alone, or the child would be shown again."""
    stale = Person.objects.get(pk=make_person(front, born=date(2016, 4, 2)).pk)
    make_case(child, child={"last_name": stale.last_name, "first_name": stale.first_name,
                            "patronymic": stale.patronymic, "birth_date": stale.birth_date, "sex": stale.sex,
                            "rnokpp": stale.rnokpp})
    assert Person.objects.get(pk=stale.pk).in_child_case
    stale.street = "вул. Нова"
    stale.save()
    assert Person.objects.values_list("in_child_case", "street").get(pk=stale.pk) == (True, "вул. Нова")


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="a PostgreSQL trigger (SQLite: one process, one release)")
def test_a_case_written_by_another_path_flags_its_child_too(case, front):
    """During a rolling upgrade the previous release registers cases without the flag; the admin or a shell may write
    one: the trigger on the cases flags the child whatever wrote the case."""
    other = make_person(front, born=date(2017, 6, 1))
    assert not other.in_child_case
    written = ChildCase.objects.create(number="СД-TEST-1", child=other, hromada=case.hromada,
                                       registered_by=case.registered_by, reported_on=case.reported_on,
                                       reporter_type="school", urgency="planned", assessment_due=case.assessment_due)
    assert Person.objects.get(pk=other.pk).in_child_case
    corrected = make_person(front, born=date(2018, 2, 3))    # the case's child corrected to another person
    ChildCase.objects.filter(pk=written.pk).update(child=corrected)
    assert Person.objects.get(pk=corrected.pk).in_child_case


def test_the_migration_flags_the_children_of_existing_cases(case, make_case, child):
    flag_migration = importlib.import_module("hromada.children.migrations.0002_child_case_flag")
    second = make_case(child, child={"first_name": "Ліна", "sex": "F"})
    Person.objects.filter(pk__in=[case.child_id, second.child_id]).update(in_child_case=False)
    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    flag_migration.forwards(django_apps, SimpleNamespace(connection=connection, execute=execute))
    assert set(Person.objects.filter(in_child_case=True).values_list("pk", flat=True)) == {case.child_id,
                                                                                          second.child_id}


def test_a_person_read_never_reads_the_child_cases(case, make_case, child, front):
    """#24: the rule once read ``id NOT IN (every case's child)``, which PostgreSQL answers by hashing every child case
    of the country on each lookup and list (91 ms for a lookup with 100 thousand cases). The person's own flag
    answers it now: no person read of another role touches the cases, and the child stays hidden."""
    for name in ("Ніна", "Олег", "Ліна"):
        make_case(child, child={"first_name": name})
    resident = make_person(front)
    child_person = Person.objects.get(pk=case.child_id)
    with CaptureQueriesContext(connection) as queries:
        assert [p.pk for p in person_selectors.search_page(front, rnokpp=resident.rnokpp).persons] == [resident.pk]
        listed = person_selectors.search_page(front, q="", limit=500, with_total=True)
        named = person_selectors.search_page(front, q=child_person.last_name, limit=500)
        person_services._present_person(front, rnokpp=resident.rnokpp, number="", last_name="", first_name="",
                                        patronymic="", birth_date=None)
    assert not [q["sql"] for q in queries.captured_queries if "children_childcase" in q["sql"]]
    assert resident.pk in {p.pk for p in listed.persons} and case.child_id not in {p.pk for p in listed.persons}
    assert case.child_id not in {p.pk for p in named.persons}
    assert listed.total == access.visible(front, Person).count()


def test_a_restore_of_a_dump_from_before_the_flag_flags_the_children_again(case, monkeypatch, tmp_path):
    """``loaddata`` of a dump made before ``Person.in_child_case`` gives every person the default: the restore's signal
    flags the children of the cases again (SQLite has no trigger to do it)."""
    from hromada.audit import backup

    def old_dump_loaded(*_args):
        Person.objects.filter(pk=case.child_id).update(in_child_case=False)

    # The restore's own steps stood in for: the manifest, the files, and a database part written before the flag.
    monkeypatch.setattr(backup, "read_manifest", lambda _path: {"parts": ["db.json"], "engine": "elsewhere",
                                                                  "tables": {}, "files": {}})
    monkeypatch.setattr(backup, "_restore_key", lambda _manifest: None)
    monkeypatch.setattr(backup, "_decrypt_to", lambda *_args: tmp_path / "files.tar")
    monkeypatch.setattr(backup, "_restore_database", old_dump_loaded)
    monkeypatch.setattr(backup, "_restore_files_tar", lambda _tar: 0)
    monkeypatch.setattr(backup, "files_checksums", dict)
    backup.restore_backup(tmp_path)
    assert Person.objects.get(pk=case.child_id).in_child_case
    assert not Person.objects.filter(in_child_case=True).exclude(pk=case.child_id).exists()


def test_a_person_loaded_in_part_saves_what_was_loaded_and_keeps_her_flag(case):
    partial = Person.objects.only("id", "street").get(pk=case.child_id)
    Person.objects.filter(pk=case.child_id).update(first_name="Інше")     # another request meanwhile
    partial.street = "вул. Садова"
    with CaptureQueriesContext(connection) as queries:
        partial.save()
    # Only what was loaded is written, as Django does for a deferred load: no field is read back one by one first.
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert Person.objects.values_list("in_child_case", "street", "first_name").get(pk=case.child_id) == (
        True, "вул. Садова", "Інше")
