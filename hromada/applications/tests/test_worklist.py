"""Issue #17, point 2: the day's worklist of the front office and of the back office (home pages and
GET /api/v1/worklist): each count, its link listing the same cases, the scope, and pinned query counts."""
import secrets
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hromada import testing
from hromada.applications import selectors, workflow
from hromada.applications.deadlines import handover_is_late
from hromada.applications.models import Document, Status
from hromada.backoffice import selectors as back_selectors
from hromada.backoffice.tests.factories import submitted_case
from hromada.catalog.models import DocumentRequirement, Timing

pytestmark = pytest.mark.django_db

FRONT_KEYS = {"drafts", "returned", "results_to_issue", "documents_due_soon", "documents_overdue", "late_handover"}
BACK_KEYS = {"new", "in_review", "mine", "due_soon", "overdue"}


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _provide_may_follow(app, front):
    for code in DocumentRequirement.objects.filter(service=app.service, timing=Timing.MAY_FOLLOW).values_list(
            "code", flat=True):
        Document.objects.create(application=app, requirement_code=code, file="documents/x.pdf", original_name="x.pdf",
                                content_type="application/pdf", size=10, sha256=secrets.token_hex(32),
                                uploaded_by=front, late=True)


def _delta(after, before) -> dict:
    return {k: after[k] - before[k] for k in after}


def test_front_worklist_counts_each_kind_in_scope(front, front2, api):
    today = timezone.localdate()
    before = selectors.front_worklist(front).as_dict()
    before2 = selectors.front_worklist(front2).as_dict()
    submitted_case("front", status=Status.DRAFT)
    late_day = selectors.handover_limit_day(today)
    assert handover_is_late(late_day, today) and not handover_is_late(late_day + timedelta(days=1), today)
    late = submitted_case("front", status=Status.DRAFT, paper_received_on=late_day)
    submitted_case("front", status=Status.DRAFT, paper_received_on=today)            # still in time
    returned = submitted_case("front", status=Status.RETURNED)
    workflow.record_event(returned, "return", from_status=Status.IN_REVIEW, actor=testing.user("back"),
                          comment="Нечіткий скан паспорта")
    submitted_case("front", status=Status.RESULT_SENT, result_sent_at=timezone.now())
    soon = submitted_case("front", documents_deadline=today + timedelta(days=7))
    overdue = submitted_case("front", status=Status.IN_REVIEW, documents_deadline=today - timedelta(days=1))
    brought = submitted_case("front", documents_deadline=today + timedelta(days=2))   # documents already brought
    _provide_may_follow(brought, front)
    submitted_case("front", documents_deadline=today + timedelta(days=8))            # not yet
    submitted_case("front", status=Status.RESULT_SENT, documents_deadline=today - timedelta(days=5))  # decided
    submitted_case("front2", status=Status.DRAFT)
    after = selectors.front_worklist(front).as_dict()
    assert _delta(after, before) == {"drafts": 3, "returned": 1, "results_to_issue": 2, "documents_due_soon": 1,
                                     "documents_overdue": 1, "late_handover": 1}
    assert _delta(selectors.front_worklist(front2).as_dict(), before2)["drafts"] == 1
    assert _delta(selectors.front_worklist(front2).as_dict(), before2)["results_to_issue"] == 0

    res = api(front).get("worklist")
    assert res.status_code == 200 and res.json() == after and set(res.json()) == FRONT_KEYS
    assert all(isinstance(v, int) for v in res.json().values())

    # Each link lists exactly the counted cases (the resident's phone is shown for the call).
    c = _client(front)
    for name, case in (("documents_overdue", overdue), ("documents_due_soon", soon), ("late_handover", late)):
        page = c.get(reverse("front:list"), {"w": name}).content.decode()
        assert case.number in page and brought.number not in page
        assert selectors.worklist_cases(front, name).count() == after[name]
    assert "+380671234567" in c.get(reverse("front:list"), {"w": "documents_overdue"}).content.decode()
    home = c.get(reverse("core:home")).content.decode()
    assert "Робочий список на сьогодні" in home and "Нечіткий скан паспорта" in home and returned.number in home
    for url in ("/front/?w=documents_overdue", "/front/?w=documents_due_soon", "/front/?w=late_handover",
                "/front/?status=draft", reverse("front:returned"), reverse("front:results")):
        assert f'href="{url}"' in home
    assert f'<span class="n">{after["documents_overdue"]}</span>' in home


def test_back_worklist_counts_mine_and_all_and_deadlines(back, back2, head, api):
    today = timezone.localdate()
    before = back_selectors.worklist(back).as_dict()
    before2 = back_selectors.worklist(back2).as_dict()
    before_head = back_selectors.worklist(head).as_dict()
    submitted_case("front", due_date=today + timedelta(days=20))
    submitted_case("front", status=Status.RESUBMITTED, due_date=today + timedelta(days=20))
    submitted_case("front", status=Status.IN_REVIEW, assigned_to=back, due_date=today)                 # due soon
    submitted_case("front", status=Status.IN_REVIEW, assigned_to=head, due_date=today - timedelta(days=1))
    submitted_case("front", status=Status.RETURNED, due_date=today - timedelta(days=3))     # not at the back office
    submitted_case("front", status=Status.RESULT_SENT, due_date=today - timedelta(days=3))  # decided
    after = back_selectors.worklist(back).as_dict()
    assert _delta(after, before) == {"new": 2, "in_review": 2, "mine": 1, "due_soon": 1, "overdue": 1}
    assert _delta(back_selectors.worklist(head).as_dict(), before_head)["mine"] == 1     # mine: each their own
    assert back_selectors.worklist(back2).as_dict() == before2                  # another back office
    res = api(back).get("worklist")
    assert res.status_code == 200 and res.json() == after and set(res.json()) == BACK_KEYS

    # The links of the home page list the counted cases (the queue's own filters).
    home = _client(back).get(reverse("core:home")).content.decode()
    assert "Робочий список на сьогодні" in home
    for url in ("/back/?status=new", "/back/?status=in_review&amp;assigned_to=me", "/back/?status=in_review",
                "/back/?due_soon=1", "/back/?overdue=1"):
        assert f'href="{url}"' in home
    for params, key in (({"status": "new"}, "new"), ({"status": "in_review", "assigned_to": "me"}, "mine"),
                        ({"status": "in_review"}, "in_review"), ({"due_soon": "1"}, "due_soon"),
                        ({"overdue": "1"}, "overdue")):
        page = back_selectors.queue(back, back_selectors.QueueFilters(**params))
        assert page.paginator.count == after[key], key


def test_worklist_of_other_roles_is_refused(child, hadmin, api):
    res = api(hadmin).get("worklist")
    assert res.status_code == 403 and res.json()["code"] == "no_worklist"
    assert api(None).get("worklist").status_code == 401
    home = _client(hadmin).get(reverse("core:home")).content.decode()
    assert "Робочий список" not in home
    # The children's service decides the children's-rights requests routed to it: it has a back office's list.
    assert set(api(child).get("worklist").json()) == {"new", "in_review", "mine", "due_soon", "overdue"}


def _count_queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


# The front home also counts the messages that failed to reach residents (its own panel, one query); an API call
# reads its bearer token (uncached unless every worker shares the cache: a revoked token must fail at once). The
# front home's returned cases show their last return from the rows in hand (the history is in the case's row): the
# query that fetched their return events is gone (9 → 8).
@pytest.mark.parametrize(("who", "url", "pinned"), [
    ("front", "/", 8), ("back", "/", 6), ("front", "/api/v1/worklist", 3), ("back", "/api/v1/worklist", 4)])
def test_worklist_query_counts_are_pinned(request, who, url, pinned):
    user = request.getfixturevalue(who)
    client = testing.ApiClient(user) if url.startswith("/api/") else _client(user)
    path = url.removeprefix("/api/v1/") if url.startswith("/api/") else url
    today = timezone.localdate()
    _rows(today, 1)     # the lists of the page are never empty (as in tests/perf/test_query_counts.py)
    before = _count_queries(client, path)
    _rows(today, 6)
    after = _count_queries(client, path)
    assert after == before, f"{who} {url}: {before} → {after} queries with more rows"
    assert after <= pinned, f"{who} {url}: {after} queries, pinned at most {pinned}"


def _rows(today, n):
    for _ in range(n):
        app = submitted_case("front", status=Status.RETURNED, documents_deadline=today - timedelta(days=1))
        workflow.record_event(app, "return", from_status=Status.IN_REVIEW, actor=testing.user("back"),
                              comment="Причина")
        submitted_case("front", status=Status.IN_REVIEW, assigned_to=testing.user("back"), due_date=today)
