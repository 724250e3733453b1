"""Offline sync and ordinary intake at once (issue 16, findings 7 and 11): PostgreSQL, threads with their own
connections. SQLite runs one writer at a time, so neither a deadlock nor a racing copy can happen there."""
import pytest
from django.db import connection

from hromada import testing
from hromada.applications.models import Application, IdempotencyRecord
from hromada.applications.services.intake import create_application, submit_application
from hromada.applications.tests.factories import fill_required, make_person
from hromada.core import db as core_db
from hromada.demo.dataset import make_rnokpp
from hromada.offline.services import sync_offline_case
from hromada.testing import run_threads

from .test_sync import BIRTH, payload, png

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="SQLite serialises writers: no deadlock or concurrent copy to provoke"),
              pytest.mark.django_db(transaction=True)]




SURNAMES = ["Бойко", "Коваль", "Мельник", "Шевчук", "Кравець", "Ткачук", "Лисенко", "Савчук", "Руденко",
            "Марченко", "Олійник", "Поліщук", "Гаврилюк", "Кузьмич", "Дячук", "Зінчук"]


def _files(i):
    return {"application_form": [png("form.png", (i, 10, 20))], "identity_document": [png("id.png", (i, 30, 40))],
            "child_birth_certificate": [png("birth.png", (i, 50, 60))]}


def _sync(actor, key, rnokpp, i):
    return sync_offline_case(actor=actor, client_key=key,
                             payload=payload(rnokpp, doc=f"{700000000 + i}", last=SURNAMES[i % len(SURNAMES)]),
                             files=_files(i), author_id=actor.pk, desk_id=actor.office_id)


def _both_paths(rounds=3, pairs=4):
    testing.ensure_demo()
    front = testing.user("front")
    person = make_person(front.office.hromada)

    def work(i):
        actor = testing.user("front")
        if i % 2:
            return _sync(actor, f"offline-{i}", make_rnokpp(BIRTH, "F", 400 + i), i // 2).response["number"]
        app = create_application(actor=actor, service_code="birth_assistance", applicant_id=person.pk)
        fill_required(app, actor)
        return submit_application(actor=actor, application_id=app.pk).response["number"]

    numbers, errors = [], []
    for r in range(rounds):
        done, failed = run_threads(2 * pairs, lambda i, r=r: work(r * 2 * pairs + i), timeout=120)
        numbers += done
        errors += failed
    return numbers, errors


def test_sync_and_intake_together_take_locks_in_one_order(monkeypatch):
    # No retry: a deadlock would surface as an error. The lock order alone must prevent it.
    monkeypatch.setattr(core_db, "MAX_ATTEMPTS", 1)
    numbers, errors = _both_paths()
    assert not errors, errors
    assert len(numbers) == len(set(numbers)) == 24


def test_sync_and_intake_together_all_succeed():
    numbers, errors = _both_paths(rounds=2)
    assert not errors, errors
    assert len(numbers) == len(set(numbers)) == 16


def test_concurrent_copies_of_one_offline_case_replay_the_first():
    testing.ensure_demo()
    rnokpp = make_rnokpp(BIRTH, "F", 480)

    def copy(_):
        result = _sync(testing.user("front"), "same-case", rnokpp, 7)
        return result.response, result.replayed

    answers, errors = run_threads(3, copy, timeout=120)
    assert not errors, errors
    assert len(answers) == 3
    assert all(a[0] == answers[0][0] for a in answers)
    assert sorted(a[1] for a in answers) == [False, True, True]
    assert Application.objects.filter(number=answers[0][0]["number"]).count() == 1
    assert IdempotencyRecord.objects.filter(scope="offline_intake", key="same-case").count() == 1
