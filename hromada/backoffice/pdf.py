"""The decision document: «Рішення про призначення / про відмову» (Ukrainian, A4)."""
from __future__ import annotations

from decimal import Decimal

from hromada.core.pdf import build_pdf, fmt_date, fmt_money, kv_table, para

from .models import Decision, Outcome
from .reasons import get_reason


def decision_pdf(decision: Decision) -> bytes:
    app = decision.application
    applicant = app.applicant
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
        story += [
            para("Вирішено: призначити допомогу", "h2"),
            kv_table([
                ("Сума", fmt_money(decision.amount or Decimal(0))),
                ("Період виплати", f"з {fmt_date(decision.period_from)} по {fmt_date(decision.period_to)}"),
            ]),
        ]
        if decision.calculation.get("lines"):
            story.append(para("Розрахунок", "h2"))
            story += [para(line) for line in decision.calculation["lines"]]
        story.append(para("Правова підстава", "h2"))
        story.append(para(decision.calculation.get("legal_basis") or app.service.legal_basis))
    else:
        reason = get_reason(decision.reason_code)
        story += [
            para("Вирішено: відмовити у призначенні допомоги", "h2"),
            para(f"Підстава відмови: {reason.title_uk if reason else decision.reason_code}"),
            para("Правова підстава", "h2"),
            para(reason.legal_basis if reason else app.service.legal_basis),
            para("Рішення може бути оскаржене до органу вищого рівня або до суду.", "small"),
        ]
    if decision.comment:
        story += [para("Коментар", "h2"), para(decision.comment)]
    story += [para(" "), kv_table([("Рішення прийняв(ла)", decision.decided_by.short_name)])]
    return build_pdf(story, title=f"{title} № {app.number}")
