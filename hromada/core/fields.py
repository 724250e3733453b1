"""Model fields shared by the apps."""
from __future__ import annotations

import re
from typing import Any

from django.db import models
from django.db.models.fields.files import FileDescriptor


class HexDigestField(models.BinaryField):
    """A digest (SHA-256 of a file) stored as its bytes — 32, not the 64 characters of its hex — and read and
    written as lowercase hex, so filters, constructors, the API and the audit details keep the hex they always had.

    Half the bytes in the row and in any index on it (#24): a scan's hash is in the unique
    (application, sha256) index."""

    description = "Digest stored as bytes, handled as hex"

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
            file.name = self.field.derived_name(instance)
        return file


class DerivedNameFileField(models.FileField):
    """A file whose name is, as a rule, derived from its row — ``upload_to(instance, None)``: a scan's or a receipt's
    name is its case and its SHA-256, both already in the row. Such a name is stored as ``''`` (#24, point 3: one copy
    of each hash — the 70–85 characters of the path repeated the hash kept beside it as bytes); a name that is not
    the derived one (storage gave another because a file of that name was already there) is stored whole.

    Reading gives the full name either way, so ``.file.open()``, ``.file.name`` and ``.file.storage`` are unchanged;
    a filter on the column must ask for both forms (``named``)."""

    descriptor_class = _DerivedNameDescriptor
    # The row's field that the derived name ends with (its hex), so that a name found in storage leads to its row.
    digest_field = "sha256"

    def derived_name(self, instance: models.Model) -> str:
        return self.generate_filename(instance, None)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        file = super().pre_save(model_instance, add)   # saves a file not yet committed to storage
        if file and file.name == self.derived_name(model_instance):
            return ""
        return file

    def named(self, name: str) -> models.Q:
        """The rows that may hold ``name``: stored whole, or derived (then the caller checks ``.file.name``)."""
        stem = name.rsplit("/", 1)[-1].split(".", 1)[0]
        q = models.Q(**{self.attname: name})
        if re.fullmatch(r"[0-9a-f]{64}", stem):
            q |= models.Q(**{self.attname: "", self.digest_field: stem})
        return q
