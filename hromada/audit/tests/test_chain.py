import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from hromada.audit.fields import term_code
from hromada.audit.models import AuditEntry
from hromada.audit.services import GENESIS, follows, record, verify_chain

from .helpers import as_new_transaction, guard_disabled


@pytest.fixture
def chain(front):
    checked, problems = verify_chain()
    assert problems == [], problems  # whatever the demo wrote is intact
    return [record(actor=front, action="test.read", object_type="test.thing", object_id=i, details={"n": i})
            for i in range(5)]


def _kinds(problems):
    return {(p.kind, p.entry_id) for p in problems}


def test_entries_are_chained_and_verify_clean(chain):
    assert all(len(bytes(entry.hash)) == 32 for entry in chain)   # one copy of each hash, as bytes
    for earlier, later in zip(chain, chain[1:]):
        assert follows(later, earlier.hash_hex) and not follows(later, GENESIS)
    checked, problems = verify_chain()
    assert problems == [] and checked >= 5


def test_first_entry_links_to_genesis(front):
    if AuditEntry.objects.exists():
        assert follows(AuditEntry.objects.order_by("id").first(), GENESIS)
    else:
        assert follows(record(actor=front, action="test.read"), GENESIS)


def test_request_id_and_ip_are_recorded(front):
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_REQUEST_ID="req-12345678")
    entry = record(actor=front, action="test.read", request=request)
    assert entry.ip == "10.1.2.3" and entry.request_id == "req-12345678"
    forged = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_REQUEST_ID="<script>")
    assert record(actor=front, action="test.read", request=forged).request_id != "<script>"
    # Without a proxy configured a client-sent X-Forwarded-For is not believed.
    spoofed = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert record(actor=front, action="test.read", request=spoofed).ip == "10.1.2.3"


def test_database_refuses_update_and_delete(chain):
    entry = chain[2]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.read"


def test_edited_entry_is_detected(chain):
    target = chain[2]
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["999", target.pk])
    _, problems = verify_chain()
    assert ("broken", target.pk) in _kinds(problems)
    assert len(problems) == 1


def test_deleted_entry_is_detected(chain):
    target = chain[2]
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [target.pk])
    _, problems = verify_chain()
    assert _kinds(problems) == {("broken", chain[3].pk)}
    assert f"after entry {chain[1].pk}" in problems[0].message


def test_deleted_tail_is_detected(chain):
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [chain[-1].pk])
    _, problems = verify_chain()
    assert [p.kind for p in problems] == ["head_mismatch"]


def test_inserted_entry_is_detected(chain):
    # A forged entry appended with raw SQL and a perfectly computed hash: only the chain head notices.
    from hromada.audit.services import entry_hash, hashed_fields

    forged = AuditEntry(at=chain[-1].at, actor=None, action="test.forged", chain=chain[-1].chain)
    forged.hash = bytes.fromhex(entry_hash(chain[-1].hash_hex, hashed_fields(forged)))
    field = AuditEntry._meta.get_field
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute(   # the words as the table holds them (codes on PostgreSQL: the forger writes the word too)
            "INSERT INTO audit_auditentry (at, actor_username, actor_role, action, object_type, object_id, details, "
            "chain, hash, request_id) VALUES (%s, '', %s, %s, %s, '', '{}', %s, %s, %s)",
            [forged.at, *(field(f).get_db_prep_value(v, connection) for f, v in
                          (("actor_role", ""), ("action", "test.forged"), ("object_type", ""))),
             forged.chain, forged.hash, field("request_id").get_db_prep_value("", connection)])
        if connection.vendor == "postgresql":
            cursor.execute("INSERT INTO audit_auditterm (id, name) VALUES (%s, 'test.forged')",
                           [term_code("test.forged")])
    _, problems = verify_chain()
    assert [p.kind for p in problems] == ["head_mismatch"]
    forged_id = AuditEntry.objects.get(action="test.forged").pk
    assert str(forged_id) in problems[0].message


def test_inserted_entry_in_the_middle_is_detected(chain):
    # Entry 3 made to carry entry 1's hash (as if a forged entry had been slipped in after entry 1): entry 3 no
    # longer follows entry 2, and the walk, going on from the hash entry 3 now carries, finds entry 4 broken too.
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET hash = %s WHERE id = %s", [bytes(chain[1].hash), chain[3].pk])
    _, problems = verify_chain()
    assert {("broken", chain[3].pk), ("broken", chain[4].pk)} <= _kinds(problems)


def test_verify_audit_command_exit_code_and_location(chain, capsys):
    call_command("verify_audit")
    assert "цілий" in capsys.readouterr().out
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = %s WHERE id = %s",
                       [AuditEntry._meta.get_field("action").get_db_prep_value("test.hidden", connection), chain[1].pk])
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert exc.value.returncode == 1
    assert f"entry {chain[1].pk}" in capsys.readouterr().err


def test_rolled_back_change_leaves_no_entry(front):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=front, action="test.change")
        raise RuntimeError("boom")
    assert AuditEntry.objects.count() == before
    assert verify_chain()[1] == []


# --- issue 16, point 12: the chain anchored outside the database -----------------------------------------------
@pytest.fixture
def checkpoint_store(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "audit_checkpoints": {
        "BACKEND": "hromada.audit.checkpoints.WriteOnceFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def _rehash_from(entry_id):
    """What the owner of the table can do: rewrite the hashes from ``entry_id`` on and move the head."""
    from hromada.audit.models import AuditChainHead
    from hromada.audit.services import entry_hash, hashed_fields

    chain = AuditEntry.objects.get(pk=entry_id).chain
    previous = AuditEntry.objects.filter(pk__lt=entry_id, chain=chain).order_by("-pk").first()
    prev_hash = previous.hash_hex if previous else GENESIS
    with guard_disabled(), connection.cursor() as cursor:
        for entry in AuditEntry.objects.filter(pk__gte=entry_id, chain=chain).order_by("pk"):
            new_hash = entry_hash(prev_hash, hashed_fields(entry))
            cursor.execute("UPDATE audit_auditentry SET hash = %s WHERE id = %s", [bytes.fromhex(new_hash), entry.pk])
            prev_hash, last_id = new_hash, entry.pk
    AuditChainHead.objects.filter(chain=chain).update(last_id=last_id, last_hash=prev_hash)


def test_checkpoint_is_signed_write_once_and_verified(chain, checkpoint_store, capsys):
    from hromada.audit.checkpoints import CheckpointExists, load_checkpoints, storage, write_checkpoint

    checkpoint = write_checkpoint()
    assert (checkpoint.entry_id, checkpoint.hash) == (chain[-1].pk, chain[-1].hash_hex)
    assert checkpoint.count == AuditEntry.objects.filter(chain=checkpoint.chain).count()
    stored = json.loads((checkpoint_store / checkpoint.name).read_text())
    assert {"chain": checkpoint.chain, "entry_id": chain[-1].pk, "count": checkpoint.count,
            "hash": chain[-1].hash_hex} in stored["chains"] and len(stored["signature"]) == 64
    assert oct((checkpoint_store / checkpoint.name).stat().st_mode & 0o777) == "0o440"
    with pytest.raises(CheckpointExists):
        storage().save(checkpoint.name, ContentFile(b"{}"))
    with pytest.raises(PermissionError):
        storage().delete(checkpoint.name)
    assert {c.valid for c in load_checkpoints()} == {True}
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert chain[-1].hash_hex in out and "контрольних точок — 1" in out
    # More entries after the checkpoint are fine: it anchors a prefix of the chain.
    record(actor=chain[0].actor, action="test.read")
    assert verify_chain(checkpoints=load_checkpoints())[1] == []


def test_the_page_counts_checkpoint_files_as_the_command_does(chain, checkpoint_store, ministry, capsys):
    """A checkpoint file signs every chain's head: the auditor's page and ``verify_audit`` both count files."""
    from hromada.audit.checkpoints import load_checkpoints, write_checkpoint
    from hromada.audit.verification import run_verification

    from .helpers import as_new_transaction

    as_new_transaction()                               # a transaction appends to one chain: a new one for chain 0
    record(actor=ministry, action="test.read")         # chain 0 beside the front desk's oblast: two chains
    as_new_transaction()
    write_checkpoint()
    assert len({c.chain for c in load_checkpoints()}) >= 2
    assert run_verification()["checkpoints"] == 1
    call_command("verify_audit")
    assert "контрольних точок — 1." in capsys.readouterr().out


def test_edit_and_rehash_is_caught_only_by_the_checkpoint(chain, checkpoint_store):
    from hromada.audit.checkpoints import load_checkpoints, write_checkpoint

    write_checkpoint()
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", ["999", chain[2].pk])
    _rehash_from(chain[2].pk)
    assert verify_chain()[1] == []  # the chain alone cannot tell: this is the attack
    _, problems = verify_chain(checkpoints=load_checkpoints())
    assert [p.kind for p in problems] == ["checkpoint_mismatch"]
    assert problems[0].entry_id == chain[-1].pk and "rewritten" in problems[0].message
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit")
    assert exc.value.returncode == 1


def test_truncate_and_reset_is_caught_by_the_checkpoint(chain, checkpoint_store, front):
    from hromada.audit.checkpoints import load_checkpoints, write_checkpoint
    from hromada.audit.models import AuditChainHead

    write_checkpoint()
    with guard_disabled(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    AuditChainHead.objects.update(last_id=0, last_hash=GENESIS)
    as_new_transaction()                     # the application's next transaction (after the attacker's)
    record(actor=front, action="test.read")  # a fresh, internally consistent chain
    assert verify_chain()[1] == []
    _, problems = verify_chain(checkpoints=load_checkpoints())
    # Every chain the checkpoint signed is now shorter.
    assert {p.kind for p in problems} == {"checkpoint_mismatch"} and all("truncated" in p.message for p in problems)


def test_forged_checkpoint_is_reported(chain, checkpoint_store):
    from hromada.audit.checkpoints import load_checkpoints, write_checkpoint

    checkpoint = write_checkpoint()
    path = checkpoint_store / checkpoint.name
    path.chmod(0o640)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "hash": "a" * 64}))
    _, problems = verify_chain(checkpoints=load_checkpoints())
    assert {p.kind for p in problems} == {"checkpoint_invalid"}


def test_checkpoint_task_is_scheduled(settings, chain, checkpoint_store):
    from hromada.ops import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert entry["task"] == "hromada.ops.tasks.audit_checkpoint" and entry["schedule"] <= 3600
    name = tasks.audit_checkpoint.apply().get()
    assert (checkpoint_store / name).exists()
