import io
import json
import logging

import pytest

from hromada.core.context import request_id_var
from hromada.ops.logging import JsonFormatter, PersonalDataFilter, RequestIdFilter, TextFormatter, mask_personal_data


def make_logger(formatter):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"hromada.tests.ops.{id(stream)}")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


@pytest.mark.parametrize(("raw", "masked"), [
    ("РНОКПП 3012345678 заявника", "РНОКПП [РНОКПП] заявника"),
    ("rnokpp=3012345678,", "rnokpp=[РНОКПП],"),
    ("лист на ivan.petrenko+1@ukr.net", "лист на ***@ukr.net"),
    ("УНЗР 19900517-01234", "УНЗР [УНЗР]"),
    ("тел. +380671234567", "тел. [телефон]"),
    # Truncated РНОКПП (5–9 digits) where the line names the РНОКПП: masked too.
    ("РНОКПП 301234567 має 10 цифр", "РНОКПП [РНОКПП] має 10 цифр"),
    ("Key (rnokpp)=(30123) already exists", "Key (rnokpp)=([РНОКПП]) already exists"),
    ("invalid rnokpp: '3012345' (too short)", "invalid rnokpp: '[РНОКПП]' (too short)"),
    ("ІПН заявника 30123456, заява 18", "ІПН заявника [РНОКПП], заява 18"),
])
def test_personal_data_is_masked(raw, masked):
    assert mask_personal_data(raw) == masked


@pytest.mark.parametrize("kept", [
    "КАТОТТГ UA18080010000090720",       # codes are not personal data and must stay readable
    "заява 2026-000123 сума 41280.00",
    "число 12345678901",                 # 11 digits: not a РНОКПП
    "ід 123456789",                      # 9 digits
    "заява 123456 по РНОКПП",            # a fragment after no РНОКПП mention stays
])
def test_other_numbers_are_kept(kept):
    assert mask_personal_data(kept) == kept


def test_json_lines_carry_request_id_and_mask_args_and_extras():
    logger, stream = make_logger(JsonFormatter())
    token = request_id_var.set("req-1234567890")
    try:
        logger.info("person %s registered", "3012345678", extra={"who": "anna@example.org", "count": 3})
    finally:
        request_id_var.reset(token)
    record = json.loads(stream.getvalue())
    assert record["message"] == "person [РНОКПП] registered"
    assert record["request_id"] == "req-1234567890"
    assert record["who"] == "***@example.org" and record["count"] == 3
    assert record["level"] == "INFO" and record["ts"].endswith("+00:00")


def test_exception_text_is_masked():
    logger, stream = make_logger(JsonFormatter())
    try:
        raise ValueError("bad rnokpp 3012345678")
    except ValueError:
        logger.exception("failed")
    record = json.loads(stream.getvalue())
    assert "3012345678" not in stream.getvalue() and "[РНОКПП]" in record["exc"]


def test_text_format_has_request_id():
    logger, stream = make_logger(TextFormatter())
    token = request_id_var.set("abc-def-123456")
    try:
        logger.warning("hello a@b.ua")
    finally:
        request_id_var.reset(token)
    line = stream.getvalue()
    assert "[abc-def-123456]" in line and "***@b.ua" in line and "a@b.ua" not in line
