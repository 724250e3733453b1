"""Queues, deadline flags (weekends and holidays as data), workload; query counts pinned."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hromada.applications.models import Status
from hromada.backoffice import selectors
from hromada.backoffice.selectors import OPEN_STATES, QueueFilters
from hromada.catalog.models import Holiday
from hromada.core.errors import Forbidden

from .factories import submitted_case

pytestmark = pytest.mark.django_db

FRIDAY = date(2026, 11, 20)       # 21–22 are the weekend


def _numbers(page):
    return [a.number for a in page.object_list]


def test_queue_sorted_by_due_date_and_scoped(back, back2):
    late = submitted_case(due_date=date(2026, 11, 30))
    early = submitted_case(due_date=date(2026, 11, 25))
    other = submitted_case("front2", due_date=date(2026, 11, 24))
    page = selectors.queue(back, QueueFilters(), today=FRIDAY)
    numbers = _numbers(page)
    assert numbers.index(early.number) < numbers.index(late.number)
    assert other.number not in numbers
    assert _numbers(selectors.queue(back2, QueueFilters(), today=FRIDAY)) == [other.number]


def test_queue_filters(back, head):
    a = submitted_case(due_date=date(2026, 11, 19))                       # overdue on Friday
    b = submitted_case(service="idp_living_allowance", due_date=date(2026, 11, 24), status=Status.IN_REVIEW,
                       assigned_to=back)                                  # due soon
    c = submitted_case(due_date=date(2026, 12, 10), status=Status.RESUBMITTED)
    done = submitted_case(due_date=date(2026, 11, 1), status=Status.RESULT_SENT)

    def q(**kw):
        return set(_numbers(selectors.queue(head, QueueFilters(**kw), today=FRIDAY)))

    assert {a.number, b.number, c.number} <= q() and done.number not in q()
    assert q(service="idp_living_allowance") == {b.number}
    assert q(overdue=True) == {a.number}
    assert q(due_soon=True) == {b.number}
    assert q(status=Status.RESUBMITTED) >= {c.number} and a.number not in q(status=Status.RESUBMITTED)
    assert q(status=Status.RESULT_SENT) >= {done.number}
    assert q(assigned_to=str(back.pk)) == {b.number}
    assert b.number not in q(assigned_to="none") and a.number in q(assigned_to="none")
    assert set(_numbers(selectors.queue(back, QueueFilters(assigned_to="me"), today=FRIDAY))) == {b.number}
    assert q(hromada=a.hromada_id) >= {a.number}
    assert q(hromada=a.hromada_id + 1) == set()


def test_queue_flags_and_no_n_plus_one(back):
    for i in range(3):
        submitted_case(due_date=date(2026, 11, 19 + i))
    selectors.queue(back, QueueFilters(), today=FRIDAY)     # warm the user's scope
    with CaptureQueriesContext(connection) as small:
        page = selectors.queue(back, QueueFilters(), today=FRIDAY)
        rows = [(a.applicant, a.service_name, a.hromada_name, a.front_office_name, a.deadline_flag, a.assignee)
                for a in page.object_list]
    for i in range(12):
        submitted_case(due_date=date(2026, 12, 1 + i))
    with CaptureQueriesContext(connection) as big:
        page = selectors.queue(back, QueueFilters(), today=FRIDAY)
        rows = [(a.applicant, a.service_name, a.hromada_name, a.front_office_name, a.deadline_flag, a.assignee)
                for a in page.object_list]
    assert len(rows) >= 15
    # the days off (read from the database where no cache is shared; catalog.calendar), the page with its total
    # (applicants joined: copied onto the case; the count a subquery); on PostgreSQL planned with its joins as written
    # (core.db.joins_as_written: the setting, and its reset in this transaction)
    hinted = (["SET LOCAL join_collapse_limit = 1", "RESET join_collapse_limit"] if connection.vendor == "postgresql"
              else [])
    assert len(big) == len(small) == 2 + len(hinted)
    assert [q["sql"] for q in big.captured_queries if "join_collapse_limit" in q["sql"]] == hinted
    statements = [q["sql"] for q in big.captured_queries]
    page_sql = next(i for i, sql in enumerate(statements) if sql.startswith('SELECT "applications_application"."id"'))
    assert not hinted or statements[page_sql - 1] == hinted[0]     # set just before the page's query
    flags = {a.due_date: a.deadline_flag for a in page.object_list}
    assert flags[date(2026, 11, 19)] == "overdue"
    assert flags[date(2026, 11, 20)] == "due_soon"
    assert flags[date(2026, 12, 1)] == ""


def test_queue_is_paginated_by_50(back):
    for _ in range(51):
        submitted_case(due_date=date(2027, 1, 1))
    total = selectors.incoming(back).filter(status__in=OPEN_STATES).count()
    assert total >= 51
    page = selectors.queue(back, QueueFilters(), today=FRIDAY)
    assert len(page.object_list) == 50 and page.paginator.count == total and page.has_next()
    last = -(-total // 50)
    assert page.paginator.num_pages == last
    # The total rides on the rows of any page; a page past the end is the last one, counted apart.
    for number in (last, last + 7, 10**20):
        tail = selectors.queue(back, QueueFilters(page=number), today=FRIDAY)
        assert (tail.number, tail.paginator.count) == (last, total)
        assert len(tail.object_list) == total - 50 * (last - 1) and not tail.has_next()
    seen = [r.number for n in range(1, last + 1) for r in selectors.queue(back, QueueFilters(page=n),
                                                                             today=FRIDAY).object_list]
    assert len(seen) == len(set(seen)) == total
    assert selectors.queue(back, QueueFilters(status=Status.IN_REVIEW, page=3), today=FRIDAY).paginator.count == 0


def test_queue_counts_its_cases_without_the_joins_of_its_names(back):
    """The page's names come from five joined tables; its total is counted on the cases alone (an index-only count),
    and is still every case the filters match — with a search that reaches the applicant too."""
    cases = [submitted_case(due_date=date(2027, 1, 1)) for _ in range(3)]
    selectors.queue(back, QueueFilters(), today=FRIDAY)     # warm the user's scope
    with CaptureQueriesContext(connection) as queries:
        page = selectors.queue(back, QueueFilters(), today=FRIDAY)
    # One statement: the page, its total a subquery over the cases alone.
    pages = [q["sql"] for q in queries.captured_queries if '"queue_total"' in q["sql"]]
    assert len(pages) == 1 and not any("COUNT(" in q["sql"] for q in queries.captured_queries if q["sql"] != pages[0])
    counted = pages[0][pages[0].index("(SELECT COUNT("):pages[0].index(' AS "queue_total"')]
    assert "JOIN" not in counted and "JOIN" in pages[0]
    assert page.paginator.count == len(page.object_list) >= 3 and {c.number for c in cases} <= set(_numbers(page))
    surname = cases[0].applicant_person.last_name
    found = selectors.queue(back, QueueFilters(q=surname), today=FRIDAY)
    assert found.paginator.count == len(found.object_list) >= 3
    assert all(row.applicant.startswith(surname) for row in found.object_list)
    assert selectors.queue(back, QueueFilters(q=cases[1].number), today=FRIDAY).paginator.count == 1
    assert selectors.queue(back, QueueFilters(status=Status.IN_REVIEW), today=FRIDAY).paginator.count == 0


def test_due_soon_counts_working_days_across_weekend_and_holiday(back):
    app = submitted_case(due_date=date(2026, 11, 24))
    # Friday + 2 working days = Tuesday 24.11 (Saturday and Sunday skipped).
    assert selectors.due_soon_limit(FRIDAY) == date(2026, 11, 24)
    assert selectors.deadline_flag(app, FRIDAY) == "due_soon"
    app.due_date = date(2026, 11, 25)
    assert selectors.deadline_flag(app, FRIDAY) == ""
    # A public holiday on Monday (a day off as data) pushes the window by one day.
    Holiday.objects.update_or_create(date=date(2026, 11, 23), defaults={"name": "Тест", "is_day_off": True})
    assert selectors.due_soon_limit(FRIDAY) == date(2026, 11, 25)
    assert selectors.deadline_flag(app, FRIDAY) == "due_soon"
    Holiday.objects.filter(date=date(2026, 11, 23)).update(is_day_off=False)
    Holiday.objects.filter(date=date(2026, 11, 23), name="Тест").delete()
    assert selectors.due_soon_limit(FRIDAY) == date(2026, 11, 24)


def test_overdue_only_while_the_back_office_holds_the_case(back):
    past = date(2026, 11, 10)
    assert selectors.deadline_flag(submitted_case(due_date=past), FRIDAY) == "overdue"
    assert selectors.deadline_flag(submitted_case(due_date=past, status=Status.IN_REVIEW), FRIDAY) == "overdue"
    for status in (Status.RETURNED, Status.DECIDED_GRANTED, Status.RESULT_SENT, Status.CLOSED):
        assert selectors.deadline_flag(submitted_case(due_date=past, status=status), FRIDAY) == ""
    assert selectors.deadline_flag(submitted_case(due_date=FRIDAY), FRIDAY) == "due_soon"   # due today: not late


def test_overdue_board_and_workload(head, back, back2):
    a = submitted_case(due_date=date(2026, 11, 2), status=Status.IN_REVIEW, assigned_to=back)
    submitted_case(due_date=date(2026, 11, 24), status=Status.IN_REVIEW, assigned_to=back)
    submitted_case(due_date=date(2026, 11, 3))
    submitted_case("front2", due_date=date(2026, 11, 1))
    board = list(selectors.overdue_cases(head, today=FRIDAY))
    assert a in board and all(x.back_office_id == head.office_id for x in board)
    load = {w.user.username if w.user else None: w for w in selectors.workload(head, today=FRIDAY)}
    assert load["back_demo"].open_cases >= 2 and load["back_demo"].overdue >= 1 and load["back_demo"].due_soon >= 1
    assert load[None].overdue >= 1
    assert "back2_demo" not in load
    with pytest.raises(Forbidden):
        selectors.overdue_cases(back)
    assert {w.user.username for w in selectors.workload(back2) if w.user} == {"back2_demo"}


def test_front_office_has_no_back_queue(front):
    with pytest.raises(Forbidden):
        selectors.queue(front, QueueFilters())


def test_staff_lists_are_in_ukrainian_alphabetical_order(head):
    from hromada.accounts.models import Role, User

    for username, last in (("t_ye", "Єрмак"), ("t_a", "Андрієнко"), ("t_g", "Ґудзь"), ("t_i", "Іваненко"),
                           ("t_ya", "Яковенко"), ("t_h", "Гончар")):
        User.objects.create(username=username, role=Role.BACK_SPECIALIST, office=head.office, last_name=last,
                            first_name="Тест")
    names = [u.last_name for u in selectors.assignable_staff(head)
             if u.last_name in {"Єрмак", "Андрієнко", "Ґудзь", "Іваненко", "Яковенко", "Гончар"}]
    assert names == ["Андрієнко", "Гончар", "Ґудзь", "Єрмак", "Іваненко", "Яковенко"]
    board = [w.user.last_name for w in selectors.workload(head) if w.user and w.user.username.startswith("t_")]
    assert board == names


def test_queue_rows_show_what_the_models_say_in_the_interface_language(back):
    """The queue reads its rows as values (no six models per row): each shown value is the one the models give."""
    from django.utils import translation

    from hromada.applications.models import Application

    taken = submitted_case(due_date=date(2026, 11, 19), status=Status.IN_REVIEW, assigned_to=back)
    free = submitted_case(due_date=date(2026, 12, 10))
    with translation.override("uk"):
        rows = {r.number: r for r in selectors.queue(back, QueueFilters(), today=FRIDAY).object_list}
    for case in (taken, free):
        app = Application.objects.select_related("service", "hromada", "front_office", "applicant_person",
                                                 "assigned_to").get(pk=case.pk)
        row = rows[app.number]
        assert (row.pk, row.status, row.due_date, row.version, row.hromada_id, row.assigned_to_id) == (
            app.pk, app.status, app.due_date, app.version, app.hromada_id, app.assigned_to_id)
        assert row.applicant == app.applicant_person.full_name and row.applicant
        assert (row.service_code, row.service_name) == (app.service.code, app.service.name_uk)
        assert (row.hromada_name, row.front_office_name) == (app.hromada.name, app.front_office.name)
        with translation.override("uk"):
            assert row.status_label == app.get_status_display()
        assert row.deadline_flag == selectors.deadline_flag(app, FRIDAY)
    assert rows[taken.number].assignee == back.short_name and back.short_name
    assert rows[free.number].assignee == "" and rows[free.number].assigned_to_id is None
    assert rows[taken.number].deadline_flag == "overdue"
    with translation.override("en"):
        english = {r.number: r for r in selectors.queue(back, QueueFilters(), today=FRIDAY).object_list}
    service = Application.objects.select_related("service").get(pk=taken.pk).service
    assert english[taken.number].service_name == (service.name_en or service.name_uk)
