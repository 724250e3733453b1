import csv
import io

import pytest
from django.test import Client

from hromada.audit.models import AuditEntry
from hromada.audit.services import record


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entries(front, front2):
    return [record(actor=front, action="person.view", object_type="persons.person", object_id=11,
                   hromada_id=front.office.hromada_id),
            record(actor=front2, action="application.submit", object_type="applications.application", object_id=22,
                   hromada_id=front2.office.hromada_id)]


@pytest.mark.parametrize("who", ["auditor", "sysadmin"])
def test_auditors_see_the_log(request, who, entries):
    res = login(request.getfixturevalue(who)).get("/audit/")
    html = res.content.decode()
    assert res.status_code == 200
    assert "Журнал аудиту" in html and "front_demo" in html and "front2_demo" in html
    assert 'label for="id_user"' in html


@pytest.mark.parametrize("who", ["front", "back", "head", "hadmin", "ministry", "oblast", "child"])
def test_other_roles_get_403(request, who):
    client = login(request.getfixturevalue(who))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_anonymous_is_sent_to_login(db):
    res = Client().get("/audit/")
    assert res.status_code == 302 and "/accounts/login/" in res["Location"]


def test_filters(auditor, entries, front):
    client = login(auditor)
    html = client.get("/audit/", {"user": "front_demo", "action": "person."}).content.decode()
    assert "особа #11" in html and "заява #22" not in html
    html = client.get("/audit/", {"object_type": "applications.application", "object_id": "22"}).content.decode()
    assert "заява #22" in html and "особа #11" not in html
    code = front.office.hromada.code
    html = client.get("/audit/", {"hromada": code}).content.decode()
    assert "особа #11" in html and "заява #22" not in html
    html = client.get("/audit/", {"date_from": "2001-01-01", "date_to": "2001-01-02"}).content.decode()
    assert "Записів не знайдено" in html
    html = client.get("/audit/", {"date_from": "2030-01-02", "date_to": "2030-01-01"}).content.decode()
    assert "пізніша" in html


def test_paging(auditor, front):
    for i in range(55):
        record(actor=front, action="test.page", object_id=i)
    html = login(auditor).get("/audit/", {"action": "test.page"}).content.decode()
    assert "Сторінка 1 з 2" in html and "page=2" in html and "action=test.page" in html
    html = login(auditor).get("/audit/", {"action": "test.page", "page": 2}).content.decode()
    assert "Сторінка 2 з 2" in html


def test_csv_export_is_filtered_and_audited(auditor, entries):
    before = AuditEntry.objects.filter(action="audit.export").count()
    res = login(auditor).get("/audit/export.csv", {"user": "front2_demo", "format": "machine"})
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(res.streaming_content).decode("utf-8"))))
    assert rows[0][:3] == ["id", "at", "actor_username"]
    assert {r[2] for r in rows[1:]} == {"front2_demo"}
    export = AuditEntry.objects.filter(action="audit.export").order_by("-id")
    assert export.count() == before + 1
    assert export[0].actor_id == auditor.pk and export[0].details["filters"] == {"user": "front2_demo"}
    # For people: BOM, «;», Ukrainian headers, the role's and the action's names
    body = b"".join(login(auditor).get("/audit/export.csv", {"user": "front2_demo"}).streaming_content)
    assert body.startswith("\ufeff".encode())
    human = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert human[0][:5] == ["№", "Час", "Користувач", "Роль", "Дія"]
    assert {r[3] for r in human[1:]} == {"Фахівець фронт-офісу"}


def test_log_is_read_only(auditor, entries):
    client = login(auditor)
    assert client.post("/audit/").status_code == 405
