import pytest

from hromada.backoffice.sms import LocmemSmsBackend


@pytest.fixture
def sms_outbox(settings):
    settings.HROMADA_SMS_BACKEND = "hromada.backoffice.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox
