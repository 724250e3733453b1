"""Texts of the messages to residents. Only the application number and the front office where the
result waits: no names, amounts or outcomes (an SMS or email may be read by someone else)."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

RESULT_READY = "result_ready"


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    sms: str


def render(template: str, application) -> Message:
    if template != RESULT_READY:
        raise ValueError(f"unknown notification template {template!r}")
    office = application.front_office
    where = office.name + (f", {office.address}" if office.address else "")
    with translation.override("uk"):
        subject = _("Результат розгляду заяви № %(number)s готовий") % {"number": application.number}
        body = _("Добрий день!\n\nРезультат розгляду заяви № %(number)s готовий. Отримати його можна у фронт-офісі: "
                 "%(office)s.\n\nЦе автоматичне повідомлення платформи «Громада».") % {
            "number": application.number, "office": where}
        sms_text = _("Заява № %(number)s: результат готовий. %(office)s") % {
            "number": application.number, "office": office.name}
    return Message(subject=subject, body=body, sms=sms_text)
