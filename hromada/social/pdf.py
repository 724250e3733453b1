"""Printed documents of a social case: the receipt of the application (number, check code, terms) and the notice
of the decision to provide or refuse services (with the providers, the payment rule and the reasons)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.utils import timezone, translation
from reportlab.lib.units import mm

from hromada.accounts.models import User
from hromada.core.pdf import build_pdf, fmt_date, grid_table, kv_table, official_document, para, qr_code

from . import rules, selectors
from .models import SocialCase


@official_document
def receipt_pdf(case: SocialCase, status_url: str) -> bytes:
    names = rules.service_names()
    assessment = rules.term("assessment_crisis" if case.urgency == rules.CRISIS else "assessment")
    story = [
        para("Квитанція про прийняття заяви про надання соціальних послуг", "title"),
        para(f"№ {case.number} від {fmt_date(case.applied_on)}", "subtitle"),
        kv_table([
            ("Заявник", case.person.full_name),
            ("Послуги", "; ".join(names.get(r.code, r.code) for r in case.requested.all())),
            ("Терміновість", rules.URGENCIES.get(case.urgency, case.urgency)),
            ("Подані документи", "; ".join(d["name_uk"] for c, d in rules.intake_documents().items()
                                           if c in case.documents) or "—"),
            ("Розглядає", str(case.office or case.hromada)),
            ("Оцінювання потреб — до", f"{fmt_date(case.assessment_due)} ({assessment.source})"),
            ("Рішення — до", f"{fmt_date(case.decision_due)} ({rules.term('decision').source})"),
        ]),
        para("Як дізнатися про стан розгляду", "h2"),
        para(f"Код перевірки: {case.check_code}", "h2"),
        para(f"На сторінці {status_url} введіть номер заяви та код перевірки (або відскануйте QR-код)."),
        qr_code(f"{status_url}?{urlencode({'number': case.number, 'code': case.check_code})}", 30 * mm),
    ]
    return build_pdf(story, title=f"Квитанція {case.number}",
                     footer_note=f"Сформовано {timezone.localtime():%d.%m.%Y %H:%M}")


def _role_uk(user: User) -> str:
    with translation.override("uk"):
        return str(user.get_role_display())


@official_document
def notice_pdf(case: SocialCase) -> bytes:
    """The notice of the decision to provide or refuse services: printed at the specialist's desk and by the front
    office that hands the result of its application over (``application_notice_pdf``) — one layout for both."""
    n = selectors.notice_content(case)
    title = "Повідомлення про рішення щодо надання соціальних послуг"
    if n["assessment_on"] is not None:
        ground = (f"Оцінювання потреб від {fmt_date(n['assessment_on'])}: "
                  + ("потреби в соціальних послугах виявлено" if n["needs_identified"] else
                     "потреби в соціальних послугах не виявлено"))
    else:
        ground = "—"
    story = [
        para(title, "title"),
        para(f"Справа № {n['case_number']}"
             + (f" (заява № {n['application_number']})" if n["application_number"] else ""), "subtitle"),
        kv_table([
            ("Отримувач", n["person"]),
            ("Орган, що прийняв рішення", n["office"]),
            ("Дата звернення", fmt_date(n["applied_on"])),
            ("Дата рішення", fmt_date(n["decided_on"])),
            ("Рішення", "Надати соціальні послуги" if n["provide"] else "Відмовити в наданні соціальних послуг"),
            ("Підстава / причини", n["reason"]),
            ("На підставі", ground),
        ]),
    ]
    if n["provide"]:
        story += [
            para("Послуги та надавачі", "h2"),
            grid_table(["Послуга", "Надавач", "Стан"],
                       [[s["name"], s["provider"], s["state_label"]] for s in n["services"]],
                       widths=(65 * mm, 75 * mm, 30 * mm)),
            para(f"Оплата: {n['payment_label']}. Підстава: {n['payment_source']}.", "small"),
            para(f"Правова підстава послуг: {n['legal_basis']}", "small"),
        ]
    else:
        story.append(para("Рішення може бути оскаржене в порядку, встановленому законом (Закон № 2671-VIII).",
                          "small"))
    decided_by = n["decided_by_user"]
    story += [
        para(f"Правова підстава: {n['source']}", "small"),
        # Handed to the person: the specialist signs, the person signs for the copy received.
        para("Підписи", "h2"),
        kv_table([
            ("Посадова особа", f"{_role_uk(decided_by)}   ______________ / {n['decided_by']} /"),
            ("Повідомлення отримав(ла)", "______________ / ________________ /  «___» ________ 20__ р."),
        ]),
        para("Підпис отримувача (представника) засвідчує отримання примірника повідомлення.", "small"),
    ]
    return build_pdf(story, title=f"Рішення {n['case_number']}",
                     footer_note=f"Сформовано {timezone.localtime():%d.%m.%Y %H:%M}")


def application_notice_pdf(user: User, application_id: int) -> bytes | None:
    """The decision notice of the social case opened from a front-office application the user sees (the front
    office prints it when it hands the result over; ``catalog.slots.social_decision_pdf``); None before a decision,
    NotFound outside the user's scope."""
    case = selectors.application_case(user, application_id)
    if case is None or getattr(case, "decision", None) is None:
        return None
    return notice_pdf(case)
