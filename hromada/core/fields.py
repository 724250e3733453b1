"""Model fields shared by the apps."""
from __future__ import annotations

from typing import Any

from django.db import models


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
