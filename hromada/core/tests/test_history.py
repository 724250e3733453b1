"""The history's layout (hromada.core.history): what is written is read back exactly, and only grows."""
import random
from datetime import UTC, datetime, timedelta

import pytest

from hromada.core.history import FORMAT, HistoryCodec, HistoryCorrupt, HistoryEvent

ACTIONS = ("", "create", "submit", "take", "return")
STATES = ("", "draft", "submitted", "in_review", "returned")
CODEC = HistoryCodec(ACTIONS, STATES)
START = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def _random_event(rng: random.Random, at: datetime) -> dict:
    return dict(action=rng.choice(ACTIONS[1:]), from_status=rng.choice(STATES), to_status=rng.choice(STATES),
                actor_id=rng.choice([None, 0, 1, 127, 128, 16_383, 16_384, 2**40]), at=at,
                comment=rng.choice(["", "Документ нечитабельний: додайте скан.", "ʼ’—\u0000", "x" * 300]),
                data=rng.choice([{}, {"items": ["passport", "income"]}, {"amount": "1234.56"}, {"n": 2**63, "ok": None}]))


def test_every_event_comes_back_exactly_in_order():
    rng = random.Random(24)
    for _ in range(300):
        blob, written, at = b"", [], START
        for _ in range(rng.randint(1, 12)):
            # Later events move forward mostly, sometimes back (a clock set back): a signed delta from the first.
            at = at + timedelta(microseconds=rng.randint(-10**9, 10**13))
            event = _random_event(rng, at)
            grown = CODEC.append(blob, **event)
            assert grown.startswith(blob)          # appending never rewrites what is there
            blob = grown
            written.append(event)
        read = CODEC.decode(blob)
        assert [(e.action, e.from_status, e.to_status, e.actor_id, e.at, e.comment, e.data) for e in read] == [
            (w["action"], w["from_status"], w["to_status"], w["actor_id"], w["at"], w["comment"], w["data"])
            for w in written]
        assert [e.id for e in read] == list(range(1, len(written) + 1))
        assert blob[0] == FORMAT


def test_an_event_is_appended_without_reading_the_others():
    first = CODEC.encode(first_micros=None, action="create", from_status="draft", to_status="draft", actor_id=5,
                         at=START)
    second = CODEC.encode(first_micros=CODEC.first_micros(first), action="submit", from_status="draft",
                          to_status="submitted", actor_id=5, at=START + timedelta(days=3))
    assert [e.action for e in CODEC.decode(first + second)] == ["create", "submit"]
    # A short event: three codes, the actor, about seven bytes of time and two empty texts.
    assert len(second) <= 14


def test_empty_and_corrupt_histories():
    assert CODEC.decode(b"") == []
    assert CODEC.first_micros(b"") is None
    good = CODEC.append(b"", action="create", from_status="draft", to_status="draft", actor_id=1, at=START,
                        comment="так", data={"a": 1})
    for bad in (bytes([FORMAT + 1]) + good[1:],          # an unknown format
                good[:1] + bytes([len(ACTIONS)]) + good[2:],   # a word code outside the vocabulary
                good[:-1],                                # cut inside the data
                good[:3]):                                # cut inside an event
        with pytest.raises(HistoryCorrupt):
            CODEC.decode(bad)


def test_words_outside_the_vocabulary_are_refused_when_written():
    with pytest.raises(ValueError, match="vocabulary"):
        CODEC.encode(first_micros=None, action="teleport", from_status="", to_status="", actor_id=None, at=START)
    with pytest.raises(ValueError, match="one byte"):
        HistoryCodec([str(i) for i in range(257)], STATES)


def test_an_event_names_its_actor_as_a_user_a_gone_user_or_the_system():
    from types import SimpleNamespace

    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    named = SimpleNamespace(get_full_name=lambda: "Іваненко Олена Петрівна", username="front1", short_name="Іваненко О. П.")
    unnamed = SimpleNamespace(get_full_name=lambda: "", username="front2", short_name="front2")
    seen = [HistoryEvent(1, "submit", "draft", "submitted", 7, at, actor=named),
            HistoryEvent(2, "take", "submitted", "in_review", 8, at, actor=unnamed),
            HistoryEvent(3, "grant", "in_review", "granted", 9, at),        # a user no longer in the database
            HistoryEvent(4, "send_result", "granted", "result_sent", None, at)]
    assert [e.actor_name for e in seen] == ["Іваненко Олена Петрівна", "front2", "#9", None]
    assert [e.actor_short_name for e in seen] == ["Іваненко О. П.", "front2", "#9", None]
