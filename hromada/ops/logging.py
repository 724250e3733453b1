"""Structured logs: a JSON formatter, the request id on every record, personal data masked.

Configured from settings.LOGGING (HROMADA_LOG_FORMAT=json|text).
"""
from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from hromada.core.context import current_request_id

# РНОКПП: exactly 10 digits standing alone (not part of a longer number such as a КАТОТТГ code);
# УНЗР (13 digits, with or without the dash) is masked too; emails entirely but the domain.
_RNOKPP = re.compile(r"(?<![\dA-Za-z])\d{10}(?!\d)")
_UNZR = re.compile(r"(?<!\d)\d{8}-?\d{5}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@([A-Za-z0-9.\-]+\.[A-Za-z]{2,})")
_PHONE = re.compile(r"\+380\d{9}(?!\d)")
# A truncated РНОКПП (5–9 digits: a cut field, a validation error "too short", a DB error "Key (rnokpp)=(30123)")
# is masked where the line names a РНОКПП just before it; elsewhere such numbers are ordinary (ids, sums).
_RNOKPP_CONTEXT = re.compile(
    r"(?i)((?:рнокпп|rnokpp|іпн|ipn|tax_?(?:id|number)|ідентифікаційн\w*\s+(?:номер|код)\w*)[^\d\n]{0,40}?)"
    r"(?<![\dA-Za-z])\d{5,9}(?!\d)")


def mask_personal_data(text: str) -> str:
    """Replace РНОКПП, УНЗР, phone numbers and email local parts with placeholders."""
    text = _EMAIL.sub(r"***@\1", text)
    text = _UNZR.sub("[УНЗР]", text)
    text = _PHONE.sub("[телефон]", text)
    text = _RNOKPP.sub("[РНОКПП]", text)
    return _RNOKPP_CONTEXT.sub(r"\1[РНОКПП]", text)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


class PersonalDataFilter(logging.Filter):
    """Masks personal identifiers in the final message, its args and the exception text.

    The message is rendered here once (args merged) so a number passed as an argument is masked too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = str(record.msg)
        record.msg = mask_personal_data(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True


_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, request_id, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                if isinstance(value, int | float | bool | type(None)):
                    data[key] = value
                else:
                    data[key] = mask_personal_data(str(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        return json.dumps(data, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
