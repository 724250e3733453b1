import pytest

from hromada.notifications.tests.doubles import LocmemSms


@pytest.fixture
def sms_outbox(settings):
    settings.HROMADA_SMS_BACKEND = "hromada.notifications.tests.doubles.LocmemSms"
    LocmemSms.outbox = []
    return LocmemSms.outbox
