"""Printed documents of a social case: the receipt of the application (number, check code, terms) and the notice
of the decision to provide or refuse services (with the providers, the payment rule and the reasons)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.utils import timezone
from reportlab.lib.units import mm

from hromada.core.pdf import build_pdf, fmt_date, grid_table, kv_table, para, qr_code

from . import rules
from .models import SocialCase


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


def notice_pdf(case: SocialCase) -> bytes:
    decision = case.decision
    names = rules.service_names()
    title = "Повідомлення про рішення щодо надання соціальних послуг"
    story = [
        para(title, "title"),
        para(f"Справа № {case.number}", "subtitle"),
        kv_table([
            ("Отримувач", case.person.full_name),
            ("Орган, що прийняв рішення", str(case.office or case.hromada)),
            ("Дата звернення", fmt_date(case.applied_on)),
            ("Дата рішення", fmt_date(decision.decided_on)),
            ("Рішення", "Надати соціальні послуги" if decision.provide else "Відмовити в наданні соціальних послуг"),
            ("Підстава / причини", decision.reason),
        ]),
    ]
    if decision.provide:
        story += [
            para("Послуги та надавачі", "h2"),
            grid_table(["Послуга", "Надавач", "Стан"],
                       [[names.get(s.code, s.code), s.provider.name, str(s.state_label)] for s in case.services.all()],
                       widths=(65 * mm, 75 * mm, 30 * mm)),
            para(f"Оплата: {rules.PAYMENT_LABELS.get(decision.payment, decision.payment)}. "
                 f"Підстава: {rules.rules()['payment']['source']}.", "small"),
        ]
    else:
        story.append(para("Рішення може бути оскаржене в порядку, встановленому законом (Закон № 2671-VIII).",
                          "small"))
    story.append(para(f"Правова підстава: {rules.rules()['source']}", "small"))
    return build_pdf(story, title=f"Рішення {case.number}",
                     footer_note=f"Сформовано {timezone.localtime():%d.%m.%Y %H:%M}")
