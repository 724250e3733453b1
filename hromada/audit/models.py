"""Tamper-evident audit log: append-only hash chains, one per oblast (plus chain 0 for the rest).

Each entry stores one hash (32 bytes): of the previous entry's hash *in its chain* followed by its own content. The
previous hash is not stored again (#24, one copy of each hash): the check walks each chain and recomputes every
link from the entry before, so editing, deleting, inserting or reordering an entry breaks its chain, which
`manage.py verify_audit` reports. Chains are
independent so that writers in different oblasts never wait on one head row (hromada.audit.services).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import RequestIdField, TermField


class AuditEntry(models.Model):
    # Indexes are the ones the auditor's queries use (#24, bytes: each entry is written ~6 times per intake).
    # ``at``: no b-tree — on PostgreSQL a BRIN index (entries arrive in time order: a few pages for the whole log,
    # migration 0005); the date filter is otherwise bounded by the newest-first order.
    at = models.DateTimeField()
    # Not indexed by the FK: the auditor filters by the name kept on the entry (users are deactivated, not deleted).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                              db_index=False)
    actor_username = models.CharField(max_length=150, blank=True)
    # The words every entry repeats, and the request id: codes and bytes on PostgreSQL (hromada.audit.fields).
    actor_role = TermField(max_length=32, blank=True)
    action = TermField()   # e.g. person.view, application.submit, export
    object_type = TermField(blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    hromada_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = RequestIdField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    # The chain the entry belongs to (an oblast's unit id, see services._chain_of; 0: no oblast). Not indexed: verify
    # walks the log once in id order keeping every chain's tail, and nothing else reads by chain.
    chain = models.PositiveIntegerField(default=0, db_default=0)
    # sha256(previous entry's hash in hex + content), as 32 bytes (the hex text took 65). Not unique, not indexed:
    # nothing looks an entry up by its hash; the chain walk checks every link.
    hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["id"]
        # Plain b-trees (a db_index CharField gets a second, varchar_pattern_ops, index on PostgreSQL).
        indexes = [models.Index(fields=["action"], name="audit_action_idx"),
                   models.Index(fields=["object_id"], name="audit_object_idx"),
                   models.Index(fields=["actor_username"], name="audit_actor_name_idx")]
        verbose_name = _("запис журналу аудиту")
        verbose_name_plural = _("журнал аудиту")

    @property
    def hash_hex(self) -> str:
        """The hash as the checkpoints, the heads and the auditor's export write it."""
        return bytes(self.hash).hex() if self.hash else ""


class AuditTerm(models.Model):
    """A word of the log (an action, an object type, a role) once, under the code the entries hold on PostgreSQL
    (``fields.term_code``: derived from the word, so it is the primary key and never allocated). Written by the append
    in its statement; the application's role may add words, never change them (hromada.audit.roles), and a changed
    word would break the hash of every entry holding it. Empty on SQLite, whose entries keep the text."""
    id = models.IntegerField(primary_key=True)
    name = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("слово журналу аудиту")
        verbose_name_plural = _("слова журналу аудиту")


class AuditChainHead(models.Model):
    """One row per chain, locked while appending to it: the chain's entries are in a strict order."""
    chain = models.PositiveIntegerField(unique=True, default=0)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)


class AuditBlock(models.Model):
    """Older entries packed (docs/decisions/0003, ``services.pack_audit``): about a thousand consecutive entries of
    the log, whatever their chains, in id order, compressed (``blocks``). Blocks never overlap, and every entry up to
    the newest block's ``last_id`` is read from the blocks (the rows past it from the table), so the log stays one
    sequence in id order. Each entry's hash is recomputed from its content and the hash before it in its chain; the
    block keeps, per chain, the entries it holds and the hash before and after them, which the chain walk checks as it
    checks rows. Written by the owner's ``pack_audit`` only; the application's role may read them."""
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField(unique=True)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    entries = models.PositiveIntegerField()
    # {"<chain>": [entries, hash before (hex), hash after (hex)]}
    chains = models.JSONField()
    # What a total counts without unpacking, each in a column of its own (a reading detoasts only the one its filter
    # needs): {word: n}, {username: n}, {"h<id>" (h0: no hromada): n}.
    action_counts = models.JSONField()
    user_counts = models.JSONField()
    hromada_counts = models.JSONField()
    # What a filter finds the block by (PostgreSQL: a GIN index, migration 0009): "u:<username>", "a:<action>",
    # "h:<hromada id>", "o:<object type>:<id>" for the entry's object and for every record a read showed.
    keys = models.JSONField()
    payload = models.BinaryField()

    class Meta:
        ordering = ["last_id"]
        verbose_name = _("блок журналу аудиту")
        verbose_name_plural = _("блоки журналу аудиту")
