"""Model fields shared by the apps."""
from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db import models
from django.db.models.fields.files import FileDescriptor
from django.db.models.lookups import Contains, StartsWith

from hromada.core.text import pack_name_key, unpack_name_key


class HexDigestField(models.BinaryField):
    """A digest (SHA-256 of a file) stored as its bytes — 32, not the 64 characters of its hex — and read and
    written as lowercase hex, so filters, constructors, the API and the audit details keep the hex they always had.

    Half the bytes in the row and in any index on it (#24)."""

    description = "Digest stored as bytes, handled as hex"
    # What the model's attribute holds, for the type checker (django-stubs reads these): the hex.
    _pyi_private_set_type: str
    _pyi_private_get_type: str

    empty_values = [None, ""]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # No max_length: BinaryField would check it against the hex (64 characters), and the column has none.
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return None if value is None else bytes(value).hex()

    def to_python(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return bytes(value).hex()

    def get_prep_value(self, value: Any) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, str):
            return bytes.fromhex(value)  # ValueError for anything but hex: a digest is never typed by a user
        return bytes(value)

    def value_to_string(self, obj: models.Model) -> str:
        return self.value_from_object(obj) or ""


class _DerivedNameDescriptor(FileDescriptor):
    def __get__(self, instance: Any, cls: Any = None) -> Any:
        file = super().__get__(instance, cls)
        # A stored row's empty name stands for the name its upload_to gives; a row being built has no file yet.
        if instance is not None and not file.name and not instance._state.adding:
            # Kept beside it: while the name is this one, the row stores '' (pre_save) and is dumped so
            # (value_to_string) without deriving it again; a name set later (another file saved) is not.
            file.name = file.derived_name = self.field.derived_name(instance)
        return file


class DerivedNameFileField(models.FileField):
    """A file whose name is, as a rule, derived from its row — ``upload_to(instance, None)``: a scan's or a receipt's
    name is its case and its SHA-256, both already in the row. Such a name is stored as ``''`` (#24, point 3: one copy
    of each hash — the 70–85 characters of the path repeated the hash kept beside it as bytes); a name that is not
    the derived one (storage gave another because a file of that name was already there) is stored whole.

    Reading gives the full name either way, so ``.file.open()``, ``.file.name`` and ``.file.storage`` are unchanged.
    What the name is derived from must never change for a stored row (a scan's: its case's registration time). A
    filter on the column sees the stored form ('' or the whole name); a dump (``dumpdata``, the JSON backup) writes
    the stored form too, so that a restore gives the same rows."""

    descriptor_class = _DerivedNameDescriptor

    def derived_name(self, instance: models.Model) -> str:
        return self.generate_filename(instance, None)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        file = super().pre_save(model_instance, add)   # saves a file not yet committed to storage
        if file and (file.name == getattr(file, "derived_name", None)
                     or file.name == self.derived_name(model_instance)):
            return ""
        return file

    def value_from_object(self, obj: models.Model) -> Any:
        # A row not yet read through the descriptor gives what it stores: a dump (dumpdata, the JSON backup) writes
        # the stored form, with no query for the case of each row.
        stored = obj.__dict__.get(self.attname)
        return stored if isinstance(stored, str) else super().value_from_object(obj)

    def value_to_string(self, obj: models.Model) -> str:
        value = obj.__dict__.get(self.attname)
        if value is None or isinstance(value, str):
            return value or ""
        return "" if value.name == getattr(value, "derived_name", None) else (value.name or "")


class WordCodeField(models.SmallIntegerField):
    """A word of a closed vocabulary (a workflow's actions, its states) kept as its place in ``words``: two bytes
    instead of the word's text in every row (#24, bytes: a case's history has about seven rows). Read, written,
    filtered and serialised as the word, so callers never see the code.

    ``words`` is append-only: a code, once written, names its word for ever (a reordered tuple would rename every
    row); ``words[0]`` is ``""``. A word not in the vocabulary is refused when written or looked up (a programming
    error, never a user's input), and a code not in it when read (a row from a newer release)."""

    description = "A word of a closed vocabulary stored as its code"
    # Adding a word changes no column: a migration records it without rebuilding the table.
    non_db_attrs = (*models.SmallIntegerField.non_db_attrs, "words")
    # What the model's attribute holds, for the type checker (django-stubs reads these): the word.
    _pyi_private_set_type: str
    _pyi_private_get_type: str
    # Only comparisons of the whole word mean anything: a code has no text to match and its order is not the words'.
    LOOKUPS = frozenset({"exact", "in", "isnull"})

    def __init__(self, *args: Any, words: tuple[str, ...] | list[str] = ("",), **kwargs: Any) -> None:
        self.words = tuple(words)
        if not self.words or self.words[0] != "":
            raise ValueError("words[0] must be '' (the empty word's code is 0)")
        if len(set(self.words)) != len(self.words):
            raise ValueError("a word twice in the vocabulary")
        self._codes = {word: code for code, word in enumerate(self.words)}
        kwargs.setdefault("default", "")
        # The vocabulary as choices: a model's clean refuses any other word (Django's own message and code).
        kwargs["choices"] = [(word, word) for word in self.words]
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)   # they are the words
        kwargs["words"] = self.words
        return name, path, args, kwargs

    def code(self, word: str) -> int:
        try:
            return self._codes[word]
        except KeyError:
            raise ValueError(f"{self._where()}: {word!r} is not in the vocabulary") from None

    def _where(self) -> str:
        model = getattr(self, "model", None)
        return f"{model.__name__}.{self.name}" if model else str(self.name)

    def word(self, code: int) -> str:
        if not 0 <= code < len(self.words):
            raise ValueError(f"{self._where()}: code {code} is not in this release's vocabulary")
        return self.words[code]

    def get_lookup(self, lookup_name: str) -> Any:
        return super().get_lookup(lookup_name) if lookup_name in self.LOOKUPS else None

    @cached_property
    def validators(self) -> list[Any]:
        # Not the integer range checks (they would compare the word with a number): the vocabulary is the check.
        return [*self.default_validators, *self._validators]

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return None if value is None else self.word(int(value))

    def to_python(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return self.word(int(value))

    def get_prep_value(self, value: Any) -> int | None:
        if value is None:
            return None
        return self.code(str(value))   # a Status member is its word

    def value_to_string(self, obj: models.Model) -> str:
        return self.value_from_object(obj) or ""


class _PackedStartsWith(StartsWith):
    prepare_rhs = True     # the typed prefix packed as the column is (Django leaves a pattern's value as given)


class _PackedContains(Contains):
    prepare_rhs = True


class NameKeyField(models.CharField):
    """A person's name key (``core.text.normalize_name``'s form) stored packed, one byte a Ukrainian letter
    (``core.text.pack_name_key``; #24, bytes). Read, written and looked up as the key: equality, IN, a prefix and a
    part are packed before they reach the database, so callers never see the packed form. (A part may also match
    inside an escaped character's pair, which only a key holding characters no name may hold can have.)"""

    description = "A name key stored one byte a Ukrainian letter"
    _pyi_private_set_type: str
    _pyi_private_get_type: str
    LOOKUPS: dict[str, Any] = {"exact": None, "in": None, "isnull": None,
                               "startswith": _PackedStartsWith, "contains": _PackedContains}

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in self.LOOKUPS:
            return None     # e.g. icontains or a range: they would compare with the packed form's case or order
        return self.LOOKUPS[lookup_name] or super().get_lookup(lookup_name)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        # Byte order on PostgreSQL whatever the database's collation: the codes' order is the alphabet's only byte by
        # byte (a glibc or ICU collation would sort their punctuation apart). SQLite compares bytes already.
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return None if value is None else unpack_name_key(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        return None if value is None else pack_name_key(value)
