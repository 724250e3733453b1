"""The decision document: «Рішення про призначення / про відмову» (Ukrainian, A4)."""
from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from reportlab.lib.units import mm

from hromada.core.pdf import build_pdf, fmt_date, fmt_money, grid_table, kv_table, official_document, para
from hromada.core.words import amount_in_words

from .models import Decision, Outcome
from .reasons import get_reason
from .selectors import calculation_lines, grant_legal_basis


def _role_uk(user) -> str:
    with translation.override("uk"):
        return str(user.get_role_display())


@official_document
def decision_pdf(decision: Decision) -> bytes:
    app = decision.application
    applicant = app.applicant_person
    granted = decision.outcome == Outcome.GRANTED
    title = "Рішення про призначення допомоги" if granted else "Рішення про відмову у призначенні допомоги"
    story = [
        para(app.back_office.name if app.back_office_id else "", "subtitle"),
        para(title.upper(), "title"),
        para(f"від {fmt_date(decision.decided_at.date())} до заяви № {app.number}", "subtitle"),
        kv_table([
            ("Вид допомоги", app.service.name_uk),
            ("Заявник", applicant.full_name if applicant else "—"),
            ("РНОКПП", applicant.masked_rnokpp if applicant and applicant.rnokpp else "—"),
            ("Дата звернення", fmt_date(app.application_date)),
            ("Фронт-офіс", app.front_office.name),
        ]),
    ]
    if granted:
        amount = decision.amount or Decimal(0)
        story += [
            para("Вирішено: призначити допомогу", "h2"),
            kv_table([
                ("Сума", fmt_money(amount)),
                ("Сума словами", amount_in_words(amount)),
                ("Період виплати", f"з {fmt_date(decision.period_from)} по {fmt_date(decision.period_to)}"),
            ]),
        ]
        lines = calculation_lines(decision.calculation)
        if lines:
            story.append(para("Розрахунок", "h2"))
            story.append(grid_table(["Рядок", "Значення", "Джерело"],
                                    [[line["label"], line["value"], line["source"]] for line in lines],
                                    widths=(62 * mm, 33 * mm, 75 * mm)))
        story.append(para("Правова підстава", "h2"))
        story.append(para(grant_legal_basis(decision)))
    else:
        reason = get_reason(decision.reason_code, app.service.code)
        story += [
            para("Вирішено: відмовити у призначенні допомоги", "h2"),
            para(f"Підстава відмови: {reason.title_uk if reason else decision.reason_code}"),
            para("Правова підстава відмови", "h2"),
            para(reason.legal_basis if reason else app.service.legal_basis),
            para("Вид допомоги встановлено: " + app.service.legal_basis, "small"),
            para("Рішення може бути оскаржене до органу вищого рівня або до суду.", "small"),
        ]
    if decision.comment:
        story += [para("Коментар", "h2"), para(decision.comment)]
    story += [
        para(" "),
        kv_table([("Рішення прийняв(ла)", decision.decided_by.short_name)]),
        # Printed by the front office and handed to the resident: the official signs, the resident signs for it.
        para("Підписи", "h2"),
        kv_table([
            ("Посадова особа", f"{_role_uk(decision.decided_by)}   ______________ / "
                               f"{decision.decided_by.short_name} /"),
            ("Рішення отримав(ла)", "______________ / ________________ /  «___» ________ 20__ р."),
        ]),
        para("Підпис заявника (представника) засвідчує отримання примірника рішення.", "small"),
    ]
    return build_pdf(story, title=f"{title} № {app.number}")
