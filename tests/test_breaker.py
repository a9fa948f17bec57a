"""The circuit breaker every dependency's client shares (marketplace.breaker)."""

import logging
import time

from marketplace.breaker import CircuitBreaker

logger = logging.getLogger("atelier.test.breaker")


def breaker(cooldown=0.2):
    return CircuitBreaker(cooldown=cooldown, logger=logger, down="Down (%s).", back="Back.")


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    subject = breaker()
    with caplog.at_level(logging.WARNING, logger=logger.name):
        assert subject.opened(ConnectionRefusedError("refused")) is True
        assert subject.opened(ConnectionRefusedError("refused again")) is False  # the same outage
        assert subject.closed() is True
        assert subject.closed() is False  # nothing to end
    assert [record.getMessage() for record in caplog.records] == ["Down (refused).", "Back."]


def test_it_stays_open_for_its_cool_down_then_lets_a_call_try_again():
    subject = breaker(cooldown=0.1)
    assert not subject.is_open
    subject.opened("timeout")
    assert subject.is_open
    time.sleep(0.12)
    assert not subject.is_open  # the next call tries the service; it is not closed until one succeeds
    assert subject.open_until is not None


def test_a_cool_down_given_as_a_function_is_read_at_each_opening():
    seconds = {"value": 60.0}
    subject = breaker(cooldown=lambda: seconds["value"])
    subject.opened("down")
    assert subject.open_until - time.monotonic() > 50
    seconds["value"] = 0.0
    subject.opened("down again")
    assert not subject.is_open
