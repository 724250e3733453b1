"""Texts of the messages to residents, in Ukrainian.

An SMS is read on shared phones: only the first name and the case number, never a surname, amount, outcome or
reason, and one Cyrillic segment (70 characters) where possible — if the first name makes it longer, the name
is left out. An e-mail may say where the result waits and what to bring.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _

from .models import Kind

SMS_SEGMENT = 70  # characters of one UCS-2 (Cyrillic) SMS segment


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    sms: str


def _date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def office_line(office) -> str:
    """"<name>, <address>, <hours>" of the front office (what is known of it)."""
    return ", ".join(p for p in (office.name, office.address, office.opening_hours) if p)


def _sms(kind: str, *, name: str, number: str, due: date | None) -> str:
    lead = f"{name}, " if name else ""
    if kind == Kind.RESULT_READY:
        text = _("%(lead)sрезультат за заявою %(number)s готовий") % {"lead": lead, "number": number}
    elif kind == Kind.RETURNED:
        text = _("%(lead)sзаява %(number)s потребує виправлення") % {"lead": lead, "number": number}
    elif kind == Kind.DOCUMENTS_DUE:
        text = _("%(lead)sдо %(due)s донесіть документи до заяви %(number)s") % {
            "lead": lead, "number": number, "due": due.strftime("%d.%m") if due else ""}
    elif kind == Kind.DEADLINE_PASSED:
        text = _("%(lead)sрішення за заявою %(number)s затримується") % {"lead": lead, "number": number}
    else:
        raise ValueError(f"unknown notification kind {kind!r}")
    return text[:1].upper() + text[1:]


def render(kind: str, application, *, first_name: str = "", items: list[str] | None = None,
           due: date | None = None) -> Message:
    """The message of ``kind`` about ``application``. ``items``: what to bring (a return); ``due``: the date
    the documents are due (documents_due)."""
    number = application.number
    office = application.front_office
    where = office_line(office)
    with translation.override("uk"):
        sms = _sms(kind, name=first_name, number=number, due=due)
        if len(sms) > SMS_SEGMENT and first_name:
            sms = _sms(kind, name="", number=number, due=due)
        greeting = (_("Добрий день, %(name)s!") % {"name": first_name}) if first_name else _("Добрий день!")
        if kind == Kind.RESULT_READY:
            subject = _("Результат розгляду заяви № %(number)s готовий") % {"number": number}
            text = _("Результат розгляду заяви № %(number)s готовий. Отримати його можна у фронт-офісі: "
                     "%(office)s.") % {"number": number, "office": where}
        elif kind == Kind.RETURNED:
            subject = _("Заява № %(number)s потребує виправлення") % {"number": number}
            text = _("Заяву № %(number)s повернуто на доопрацювання. Будь ласка, зверніться до фронт-офісу: "
                     "%(office)s.") % {"number": number, "office": where}
            if items:
                text += "\n\n" + _("Що потрібно принести або виправити:") + "\n" + "\n".join(f"• {i}" for i in items)
        elif kind == Kind.DOCUMENTS_DUE:
            subject = _("Нагадування: документи до заяви № %(number)s") % {"number": number}
            text = _("До %(due)s включно потрібно донести документи до заяви № %(number)s у фронт-офіс: "
                     "%(office)s. Якщо їх подано вчасно, датою звернення лишається дата реєстрації заяви.") % {
                "due": _date(due), "number": number, "office": where}
            if items:
                text += "\n\n" + _("Яких документів не вистачає:") + "\n" + "\n".join(f"• {i}" for i in items)
        elif kind == Kind.DEADLINE_PASSED:
            subject = _("Рішення за заявою № %(number)s затримується") % {"number": number}
            text = _("Строк ухвалення рішення за заявою № %(number)s минув, а рішення ще немає. Ми повідомимо, "
                     "щойно результат буде готовий. Запитання можна поставити у фронт-офісі: %(office)s.") % {
                "number": number, "office": where}
        else:
            raise ValueError(f"unknown notification kind {kind!r}")
        body = "\n\n".join([greeting, text, _("Це автоматичне повідомлення платформи «Громада». Не відповідайте "
                                               "на нього.")])
    return Message(subject=subject, body=body, sms=sms)
