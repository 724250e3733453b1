"""Older audit entries packed in blocks (docs/decisions/0003): every reader gives the same entries before and after
the packing, the walk checks the blocks as it checks rows (an edit, a removal, a reordering in a block is found),
a broken chain is not packed, and the rows packed go (PostgreSQL: their month partitions)."""
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from hromada.audit import blocks, services
from hromada.audit.checkpoints import write_checkpoint
from hromada.audit.models import AuditBlock, AuditEntry
from hromada.audit.selectors import AuditFilters, _Packed, audit_entries, entries_about, known_actions
from hromada.audit.services import pack_audit, record, verify_chain
from hromada.core import partitions
from hromada.core.context import request_id_var, uuid7_hex
from hromada.core.errors import ValidationFailed
from hromada.persons.models import Person
from hromada.territory.models import Category, Unit

from .helpers import as_new_transaction, guard_disabled

OLD = (date(2025, 1, 1), date(2025, 2, 1))   # the months packed
CUTOFF = date(2025, 3, 1)
MARCH = datetime(2025, 3, 1, tzinfo=UTC)


@pytest.fixture
def checkpoint_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "audit_checkpoints": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


@pytest.fixture
def history(front, back, monkeypatch):
    """Entries of two old months (and one of March, after the cutoff), in two hromadas and about no hromada, by two
    actors; then the demo's and this test's entries of today."""
    partitions.ensure_month_partitions(connection, AuditEntry._meta.db_table, OLD[0], CUTOFF)
    person = Person.objects.filter(registered_hromada_id=front.office.hromada_id).order_by("pk").first()
    other = Unit.objects.filter(category=Category.HROMADA).exclude(pk=front.office.hromada_id).order_by("pk").first()
    hromada = front.office.hromada_id
    step = 0
    outside = request_id_var.set("")
    for month in (*OLD, CUTOFF):
        for day in range(1, 9):
            when = datetime(month.year, month.month, day, 9, 30, tzinfo=UTC) + timedelta(minutes=step,
                                                                                      microseconds=37 * day)
            monkeypatch.setattr(timezone, "now", lambda when=when: when)
            as_new_transaction()
            step += 1
            # The day's request: the middleware's (version 7, made a moment before), a proxy's, or an older one's.
            request_id_var.set(uuid7_hex(int(when.timestamp() * 1000) - 150, 0x2A5 << 50 | day * 7919) if day % 3
                               else "lb-7:0a1f" if day == 3 else "9f86d081884c4d1f9ca0c1e25a6b0b7c")
            record(actor=front, action="person.view", object_type="persons.person", object_id=person.pk,
                   hromada_id=hromada, details={"ids": [person.pk], "count": 1})
            record(actor=front, action="person.search", object_type="persons.person", hromada_id=hromada,
                   details={"ids": [person.pk + day, person.pk], "count": 2})
            record(actor=back, action="application.take", object_type="applications.application",
                   object_id=1000 + day, hromada_id=other.pk, details={"from": "submitted"})
            record(actor=back, action="backoffice.queue_view", object_type="applications.application",
                   details={"ids": [1000 + day, 2000], "count": 2})
            if month == OLD[0] and day == 1:
                record(actor=back, action="test.january_only", object_type="applications.application",
                       object_id=3000, hromada_id=other.pk)
    monkeypatch.undo()
    request_id_var.reset(outside)
    as_new_transaction()
    record(actor=front, action="person.view", object_type="persons.person", object_id=person.pk, hromada_id=hromada,
           details={"ids": [person.pk], "count": 1})
    as_new_transaction()
    return {"person": person, "hromada": hromada, "other": other}


def _filters(history):
    unit = Unit.objects.get(pk=history["hromada"])
    day = lambda month, d: date(month.year, month.month, d)  # noqa: E731
    return [AuditFilters(), AuditFilters(user="front_demo"), AuditFilters(user="back_demo", action="application.take"),
            AuditFilters(action="person."), AuditFilters(action="person.search"),
            AuditFilters(object_type="applications.application", object_id="1003"),
            AuditFilters(object_id=str(history["person"].pk)),
            AuditFilters(date_from=day(OLD[0], 3), date_to=day(OLD[1], 4)),
            AuditFilters(date_from=day(OLD[1], 1), date_to=day(OLD[1], 28), action="person.view"),
            AuditFilters(hromada=unit.code), AuditFilters(hromada=unit.code, action="person.search"),
            AuditFilters(person_id=history["person"].pk), AuditFilters(application_id=1005),
            AuditFilters(application_id=2000, date_to=day(OLD[1], 2)), AuditFilters(hromada="UA00000000000000000")]


def _read(auditor, filters):
    log = audit_entries(auditor, filters)
    return log.count(), [(e.pk, e.hash_hex, e.action, e.at, e.request_id) for e in log.iterator()], log


def test_every_filter_reads_the_same_entries_after_packing(history, auditor):
    before = [_read(auditor, f)[:2] for f in _filters(history)]
    newest_old = AuditEntry.objects.filter(at__lt=MARCH).order_by("-pk").values_list("pk", flat=True).first()
    packed = pack_audit(before=CUTOFF, block_size=7)
    assert packed.blocks > 3 and packed.entries == sum(AuditBlock.objects.values_list("entries", flat=True))
    assert packed.through_id == newest_old
    after = [_read(auditor, f)[:2] for f in _filters(history)]
    for filters, was, now in zip(_filters(history), before, after, strict=True):
        assert now == was, filters
    assert any(count > 0 for count, _ in after[1:]) and after[-1] == (0, [])


def test_pages_across_the_rows_and_the_blocks(history, auditor):
    everything = [e.pk for e in audit_entries(auditor, AuditFilters()).iterator()]
    pack_audit(before=CUTOFF, block_size=5)
    log = audit_entries(auditor, AuditFilters())
    rows = log.rows.count()
    assert 0 < rows < len(everything)
    for start, stop in ((0, 3), (rows - 2, rows + 3), (rows, rows + 11), (rows + 4, rows + 9), (len(everything) - 3,
                                                                                                  len(everything) + 5)):
        assert [e.pk for e in log[start:stop]] == everything[start:stop]
    assert log[rows + 1].pk == everything[rows + 1]
    person_log = audit_entries(auditor, AuditFilters(action="person."))
    names = [e.pk for e in person_log.iterator()]
    assert [e.pk for e in person_log[3:20]] == names[3:20]


def test_the_packed_entries_are_presented_with_their_actors(history, auditor, django_assert_max_num_queries):
    from hromada.audit.selectors import present

    pack_audit(before=CUTOFF)
    log = audit_entries(auditor, AuditFilters(user="back_demo"))
    rows = log.rows.count()
    entries = log[rows:rows + 30]
    assert len(entries) == 30 and all(e.at < MARCH for e in entries)
    with django_assert_max_num_queries(3):
        rows = present(auditor, entries)
    assert {row.office for row in rows} == {entries[0].actor.office.name}


def test_a_persons_access_report_finds_her_packed_entries(history):
    person = history["person"]
    before = [(e.pk, e.action) for e in entries_about("persons.person", person.pk)]
    pack_audit(before=CUTOFF, block_size=6)
    assert [(e.pk, e.action) for e in entries_about("persons.person", person.pk)] == before
    assert len(before) >= 2 * 24 + 1


def test_known_actions_include_the_packed_ones(history):
    assert "test.january_only" in known_actions()
    pack_audit(before=CUTOFF)
    assert not AuditEntry.objects.filter(action="test.january_only").exists()   # only in a block now
    assert {"test.january_only", "application.take", "person.search"} <= set(known_actions())


def test_the_walk_and_the_checkpoints_hold_after_packing(history, checkpoint_dir):
    from hromada.audit.checkpoints import current_heads, load_checkpoints

    heads = current_heads()
    signed = write_checkpoint()
    assert signed is not None
    total = AuditEntry.objects.count()
    pack_audit(before=CUTOFF, block_size=4)
    assert current_heads() == heads
    checked, problems = verify_chain(checkpoints=load_checkpoints())
    assert problems == [] and checked == total


def test_the_rows_packed_go(history):
    months = {name for name, _month in partitions.month_partitions(connection, AuditEntry._meta.db_table)}
    packed = pack_audit(before=CUTOFF)
    assert not AuditEntry.objects.filter(at__lt=MARCH).exists()
    assert AuditEntry.objects.filter(at__gte=MARCH, at__lt=datetime(2025, 4, 1, tzinfo=UTC)).count() == 8 * 4
    if connection.vendor == "postgresql":
        assert {partitions.partition_name(AuditEntry._meta.db_table, m) for m in OLD} <= set(packed.dropped)
        assert months - set(packed.dropped) == {
            name for name, _m in partitions.month_partitions(connection, AuditEntry._meta.db_table)}
    else:
        assert packed.deleted == packed.entries
    again = pack_audit(before=CUTOFF)
    assert (again.blocks, again.entries, again.through_id) == (0, 0, packed.through_id)


def _block_in_the_middle() -> AuditBlock:
    ordered = list(AuditBlock.objects.order_by("last_id"))
    return ordered[len(ordered) // 2]


def _kinds(problems):
    return {p.kind for p in problems}


def test_an_edited_packed_entry_is_found(history):
    pack_audit(before=CUTOFF, block_size=5)
    block = _block_in_the_middle()
    columns = blocks.columns_of(block)
    columns["object_id"][2] = "9999"
    with guard_disabled():
        AuditBlock.objects.filter(pk=block.pk).update(payload=blocks.payload_of(columns))
    _checked, problems = verify_chain()
    assert _kinds(problems) == {"broken"}
    assert any(f"block {block.first_id}–{block.last_id}" in p.message for p in problems)


def test_a_removed_or_reordered_block_is_found(history):
    pack_audit(before=CUTOFF, block_size=5)
    ordered = list(AuditBlock.objects.order_by("last_id"))
    with guard_disabled():
        ordered[2].delete()
    _checked, problems = verify_chain()
    assert "broken" in _kinds(problems)


def test_a_block_whose_hash_after_is_rewritten_is_found(history):
    pack_audit(before=CUTOFF, block_size=5)
    block = _block_in_the_middle()
    chain, (n, before, _after) = next(iter(block.chains.items()))
    with guard_disabled():
        AuditBlock.objects.filter(pk=block.pk).update(chains={**block.chains, chain: [n, before, "0" * 64]})
    _checked, problems = verify_chain()
    assert "broken" in _kinds(problems)


def test_a_broken_chain_is_not_packed(history):
    victim = AuditEntry.objects.filter(at__lt=MARCH).order_by("pk")[3]
    with guard_disabled():
        AuditEntry.objects.filter(pk=victim.pk).update(object_id="tampered")
    with pytest.raises(ValidationFailed) as refused:
        pack_audit(before=CUTOFF)
    assert refused.value.code == "audit_chain_broken" and str(victim.pk) in str(refused.value.message)
    assert not AuditBlock.objects.exists()
    assert AuditEntry.objects.filter(pk=victim.pk).exists()


def test_a_month_not_over_is_not_packed(history):
    today = timezone.now().date()
    with pytest.raises(ValidationFailed) as refused:
        pack_audit(before=date(today.year + 1, 1, 1))
    assert refused.value.code == "audit_pack_too_recent"


def test_blocks_are_append_only(history):
    pack_audit(before=CUTOFF)
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditBlock.objects.update(entries=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditBlock.objects.all().delete()


def test_a_broad_combination_past_the_bound_asks_for_dates(history, auditor, monkeypatch, api):
    from hromada.audit import selectors

    pack_audit(before=CUTOFF, block_size=3)
    monkeypatch.setattr(selectors, "UNPACK_LIMIT", 2)
    # Counted from the blocks' counts: no unpacking, no bound.
    assert audit_entries(auditor, AuditFilters(action="person.search")).count() > 2
    with pytest.raises(ValidationFailed) as refused:
        audit_entries(auditor, AuditFilters(user="front_demo", action="person.")).count()
    assert refused.value.code == "audit_filter_too_broad"
    response = api(auditor).get("audit?user=front_demo&action=person.")
    assert response.status_code == 422 and response.json()["code"] == "audit_filter_too_broad"


def test_the_scope_of_packed_entries_is_the_rows_scope(history):
    """An auditor reads the whole country; the rule for a narrower scope (``scope_q``) is applied to packed entries
    as the same set of hromadas."""
    pack_audit(before=CUTOFF)
    scoped = _Packed(AuditFilters(), frozenset({history["other"].pk}), None)
    kept = [e for block in scoped.blocks() for e in scoped.entries(block)]
    assert kept and {e.hromada_id for e in kept} == {history["other"].pk}
    assert scoped.count() == len(kept)


def test_sqlite_and_postgresql_pack_alike(history):
    packed = pack_audit(before=CUTOFF, block_size=8)
    block = AuditBlock.objects.order_by("last_id").first()
    entries = blocks.decode(block)
    assert [e.pk for e in entries] == sorted(e.pk for e in entries) and len(entries) == block.entries
    assert packed.through_id == AuditBlock.objects.order_by("-last_id").first().last_id
    assert services.blocks.packed_through() == packed.through_id


def test_the_auditors_page_asks_for_dates_beside_the_filters(history, auditor, monkeypatch, client):
    from hromada.audit import selectors

    pack_audit(before=CUTOFF, block_size=3)
    monkeypatch.setattr(selectors, "UNPACK_LIMIT", 2)
    client.force_login(auditor)
    response = client.get("/audit/", {"user": "front_demo", "action": "person."})
    html = response.content.decode()
    assert response.status_code == 200 and "звузьте період" in html and 'name="date_from"' in html
    assert client.get("/audit/", {"action": "person.search", "page": 2}).status_code == 200


def test_the_command_packs_and_says_what_it_did(history):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("pack_audit", "--before", "2025-03", stdout=out)
    assert "Запаковано записів" in out.getvalue() and AuditBlock.objects.exists()
    again = StringIO()
    call_command("pack_audit", "--before", "2025-03", stdout=again)
    assert "Нових записів до 01.03.2025 для пакування немає" in again.getvalue()
    with pytest.raises(CommandError, match="audit_pack_too_recent"):
        call_command("pack_audit", "--before", f"{timezone.now().year + 1}-01")
    with pytest.raises(CommandError, match="РРРР-ММ"):
        call_command("pack_audit", "--before", "March")


def test_the_commands_default_keeps_the_current_month_and_the_one_before(history):
    """"--keep-months 2, with the current one" kept three months as rows (the cutoff was a month too early)."""
    from datetime import UTC, date
    from io import StringIO

    from django.core.management import CommandError, call_command

    from hromada.audit.management.commands.pack_audit import first_month_kept

    assert first_month_kept(date(2026, 12, 8), 2) == date(2026, 11, 1)
    assert first_month_kept(date(2027, 1, 31), 2) == date(2026, 12, 1)
    assert first_month_kept(date(2027, 1, 1), 1) == date(2027, 1, 1)
    assert first_month_kept(date(2027, 3, 15), 14) == date(2026, 2, 1)
    out = StringIO()
    call_command("pack_audit", stdout=out)
    today = timezone.now().astimezone(UTC).date()
    previous_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    assert f"до {previous_month:%d.%m.%Y}" in out.getvalue()
    with pytest.raises(CommandError, match="щонайменше 1"):
        call_command("pack_audit", "--keep-months", "0")
