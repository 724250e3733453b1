"""The audit log is partitioned into chains (one per oblast; 0 for entries about no hromada by actors of no oblast):
each is verified on its own, any tamper in any chain is found, and writers of two oblasts do not wait on each other
(PostgreSQL)."""
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from hromada import testing
from hromada.audit.models import AuditChainHead, AuditEntry
from hromada.audit.services import GENESIS, batch, chain_key, follows, record, verify_chain
from hromada.territory.models import Category, Unit

from .helpers import as_new_transaction, guard_disabled


def _oblast_hromada(code: str, name: str) -> Unit:
    """A hromada of its own oblast (made up, distinct from the demo's oblast)."""
    oblast, _ = Unit.objects.get_or_create(code=f"UA{code}000000000000001", defaults=dict(
        category=Category.OBLAST, name=name, name_key=name.lower(), level=1))
    hromada, _ = Unit.objects.get_or_create(code=f"UA{code}020030000000001", defaults=dict(
        category=Category.HROMADA, name=f"{name}-Г", name_key=f"{name}-г".lower(), level=3, parent=oblast,
        oblast=oblast))
    return hromada


@pytest.fixture
def two_oblasts(demo):
    return _oblast_hromada("97", "Тестова-А"), _oblast_hromada("98", "Тестова-Б")


def _append(actor, hromada, n=3, tag="t"):
    as_new_transaction()
    return [record(actor=actor, action="test.chain", object_type="test.thing", object_id=f"{tag}{i}",
                   hromada_id=hromada.pk if hromada else None) for i in range(n)]


@pytest.fixture
def chains(front, ministry, two_oblasts):
    a, b = two_oblasts
    # Chain 0: entries about no hromada by an actor of no oblast (the ministry).
    made = {"a": _append(front, a, tag="a"), "b": _append(front, b, tag="b"), "0": _append(ministry, None, tag="z"),
            "a2": _append(front, a, n=2, tag="a2")}
    as_new_transaction()
    return made


def test_each_oblast_appends_to_its_own_chain(chains, two_oblasts):
    a, b = two_oblasts
    assert {e.chain for e in chains["a"] + chains["a2"]} == {a.oblast_id} == {chain_key(a.pk)}
    assert {e.chain for e in chains["b"]} == {b.oblast_id}
    assert {e.chain for e in chains["0"]} == {0}
    # Links run within a chain: the second batch of oblast A follows A's last entry, not B's or chain 0's.
    assert follows(chains["a2"][0], chains["a"][-1].hash_hex)
    assert follows(chains["a"][0], GENESIS) and follows(chains["b"][0], GENESIS)
    heads = {h.chain: h for h in AuditChainHead.objects.filter(chain__in=[a.oblast_id, b.oblast_id])}
    assert (heads[a.oblast_id].last_id, heads[a.oblast_id].last_hash) == (chains["a2"][-1].pk, chains["a2"][-1].hash_hex)
    assert (heads[b.oblast_id].last_id, heads[b.oblast_id].last_hash) == (chains["b"][-1].pk, chains["b"][-1].hash_hex)
    checked, problems = verify_chain()
    assert problems == [] and checked == AuditEntry.objects.count()


def test_an_entry_about_no_hromada_goes_to_its_actors_oblast(front, back, ministry, two_oblasts):
    """A back office's queue or a search across hromadas names no one hromada: its entry opens the actor's oblast
    (the office's unit's), so such reads in two oblasts do not queue on one head; the ministry's go to chain 0."""
    from hromada.accounts.models import Role, User
    from hromada.accounts.services import create_staff_user
    from hromada.offices.models import Function, Kind, Office

    a, _b = two_oblasts
    elsewhere = Office.objects.create(name="Бек-офіс області А", function=Function.BACK, kind=Kind.PFU_SERVICE_CENTRE,
                                      territory=a)
    stranger = create_staff_user(username="chain_stranger", password="x", role=Role.BACK_SPECIALIST,
                                 office=elsewhere, check_password=False)
    entries = {}
    for name, actor in (("front", front), ("back", back), ("stranger", stranger), ("ministry", ministry)):
        as_new_transaction()
        entries[name] = record(actor=User.objects.get(pk=actor.pk), action="test.read", object_type="test.list")
    as_new_transaction()
    home = front.office.hromada.oblast_id
    assert entries["front"].chain == home != 0
    assert entries["back"].chain == chain_key(back.office.territory_id) == home      # a raion's office: its oblast
    assert entries["stranger"].chain == a.oblast_id != home
    assert entries["ministry"].chain == 0
    assert verify_chain()[1] == []


def test_one_transaction_appends_to_one_chain(front, two_oblasts):
    a, b = two_oblasts
    as_new_transaction()
    first = record(actor=front, action="test.chain", hromada_id=a.pk)
    second = record(actor=front, action="test.chain", hromada_id=b.pk)   # joins A: one head lock per transaction
    assert first.chain == second.chain == a.oblast_id and follows(second, first.hash_hex)
    assert verify_chain()[1] == []


def test_a_batch_is_one_insert_in_order(front, two_oblasts, django_assert_max_num_queries):
    a, _b = two_oblasts
    _append(front, a, n=1)      # the chain's head exists, the hromada's oblast is known
    as_new_transaction()
    # The head's lock, ONE insert, the head's update (+ SAVEPOINT/RELEASE: the block inside the test's transaction).
    with django_assert_max_num_queries(5), transaction.atomic(), batch():
        entries = [record(actor=front, action="test.batch", object_id=i, hromada_id=a.pk) for i in range(5)]
        assert all(e.pk is None for e in entries)     # written when the block ends
    assert [e.pk for e in entries] == sorted(e.pk for e in entries) and None not in [e.pk for e in entries]
    assert all(follows(later, earlier.hash_hex) for earlier, later in zip(entries, entries[1:], strict=False))
    with pytest.raises(ZeroDivisionError), transaction.atomic(), batch():
        record(actor=front, action="test.batch_lost", hromada_id=a.pk)
        1 / 0  # noqa: B018 - the failing change
    assert not AuditEntry.objects.filter(action="test.batch_lost").exists()
    assert verify_chain()[1] == []


def _kinds(problems):
    return {(p.kind, p.entry_id) for p in problems}


@pytest.mark.parametrize("which", ["a", "b", "0"])
def test_an_edit_in_any_chain_is_found(chains, which):
    target = chains[which][1]
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["999", target.pk])
    problems = verify_chain()[1]
    assert _kinds(problems) == {("broken", target.pk)}
    assert problems[0].chain == target.chain


@pytest.mark.parametrize("which", ["a", "b", "0"])
def test_a_deletion_in_any_chain_is_found(chains, which):
    gone, after = chains[which][1], chains[which][2]
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [gone.pk])
    assert _kinds(verify_chain()[1]) == {("broken", after.pk)}


def test_a_deleted_tail_is_found_by_its_chain_head(chains):
    last = chains["b"][-1]
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [last.pk])
    problems = verify_chain()[1]
    assert [p.kind for p in problems] == ["head_mismatch"] and problems[0].chain == last.chain


@pytest.mark.parametrize("which", ["a", "b", "0"])
def test_a_reordering_in_any_chain_is_found(chains, which):
    """Two entries of a chain swap places (their ids: the order of the log): the order is part of the chain."""
    first, second = chains[which][0], chains[which][1]
    with guard_disabled(), connection.cursor() as cursor:
        for old, new in ((first.pk, -first.pk), (second.pk, first.pk), (-first.pk, second.pk)):
            cursor.execute("UPDATE audit_auditentry SET id = %s WHERE id = %s", [new, old])
    problems = verify_chain()[1]
    assert problems and {p.kind for p in problems} <= {"broken", "head_mismatch"}
    assert {p.chain for p in problems} == {first.chain}


def test_an_entry_moved_to_another_chain_is_found(chains):
    moved = chains["a"][1]
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET chain = %s WHERE id = %s", [chains["b"][0].chain, moved.pk])
    kinds = {p.kind for p in verify_chain()[1]}
    assert "broken" in kinds


# ---- two oblasts' writers do not block each other (PostgreSQL row locks) ---------------------------------------

@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_writers_of_two_oblasts_do_not_wait_on_each_other():
    """Oblast A's writer holds its chain head (an open transaction that appended); oblast B's writer appends and
    commits meanwhile — under a lock timeout, so waiting would fail it. A second writer of oblast A, under the same
    timeout, does wait and fails: the test can tell blocking from not blocking."""
    testing.ensure_demo()
    a, b = _oblast_hromada("97", "Тестова-А"), _oblast_hromada("98", "Тестова-Б")
    actor = testing.user("front")
    for hromada in (a, b):   # the chains' heads exist (their first entries)
        with transaction.atomic():
            record(actor=actor, action="test.seed", hromada_id=hromada.pk)
    holding, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def writer_a():
        try:
            with transaction.atomic():
                record(actor=actor, action="test.hold", hromada_id=a.pk)
                holding.set()
                release.wait(timeout=60)
        finally:
            connections.close_all()

    def contender(name, hromada):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                outcome[name] = record(actor=actor, action="test.meanwhile", hromada_id=hromada.pk).pk
        except OperationalError as exc:
            outcome[name] = exc
        finally:
            connections.close_all()

    holder = threading.Thread(target=writer_a)
    holder.start()
    try:
        assert holding.wait(timeout=60)
        for name, hromada in (("b", b), ("a", a)):
            t = threading.Thread(target=contender, args=(name, hromada))
            t.start()
            t.join(timeout=60)
        assert not release.is_set()                     # A's transaction was open the whole time
    finally:
        release.set()
        holder.join(timeout=60)
    assert isinstance(outcome["b"], int), outcome      # B committed while A held its head
    assert isinstance(outcome["a"], OperationalError)  # a second writer of A waited for the head and gave up
    assert AuditEntry.objects.filter(pk=outcome["b"], chain=b.oblast_id).exists()
    assert verify_chain()[1] == []
