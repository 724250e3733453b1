"""The resident's access report: a printable answer to her request under art. 8 of the Law of Ukraine «Про захист
персональних даних» (the right to know who processed her personal data, when and why).

Who accessed is named by office and role, not by the specialist's own personal data (the specialist's name is
not what the resident asks about, and the log keeps it for the auditor)."""
from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from reportlab.lib.units import mm

from hromada.audit.services import audited_read
from hromada.core.pdf import build_pdf, fmt_date, grid_table, kv_table, official_document, para

from . import selectors
from .models import Person
from .selectors import Access

TITLE = "Відповідь на запит про доступ до персональних даних"
LAW = ("Закон України «Про захист персональних даних» від 01.06.2010 № 2297-VI, стаття 8 (права суб’єкта "
       "персональних даних), частина друга, пункти 2, 3")


def _masked_rnokpp(value: str | None) -> str:
    return f"•••••••{value[-3:]}" if value else "не надано (відмова від РНОКПП)"


@official_document
def access_report_pdf(person: Person, rows: list[Access], *, answered_by: str) -> bytes:
    now = timezone.localtime()
    story = [
        para(TITLE, "title"),
        para(f"станом на {now:%d.%m.%Y %H:%M}", "subtitle"),
        kv_table([
            ("Суб’єкт персональних даних", f"{person.last_name} {person.first_name} {person.patronymic}".strip()),
            ("Дата народження", fmt_date(person.birth_date)),
            ("РНОКПП", _masked_rnokpp(person.rnokpp)),
            ("Підстава запиту", LAW),
            ("Хто відповідає", answered_by),
        ]),
        para("Кожне звернення до ваших даних та ваших заяв, записане в журналі аудиту системи «Громада» "
             "(перегляди, пошуки, зміни, завантаження), від найдавнішого:", "h2"),
    ]
    table = [[f"{timezone.localtime(r.at):%d.%m.%Y}\n{timezone.localtime(r.at):%H:%M}", f"{r.office}\n{r.role}",
              r.hromada.split(" (")[0], r.what, r.why] for r in rows]
    if not table:
        table = [["—", "—", "—", "Звернень не записано", "—"]]
    story.append(grid_table(["Коли", "Хто (офіс, роль)", "Громада", "Що", "Мета"], table,
                            widths=(25 * mm, 50 * mm, 27 * mm, 42 * mm, 31 * mm)))
    story += [
        para(f"Усього записів: {len(rows)}.", "small"),
        para("Працівників названо за офісом і посадовою роллю; журнал, з якого складено відповідь, захищено від "
             "змін ланцюжком хешів. Якщо ви вважаєте обробку неправомірною, ви можете звернутися до "
             "Уповноваженого Верховної Ради України з прав людини або до суду (стаття 8, частина друга, "
             "пункти 9, 10 Закону).", "small"),
        para(" "),
        kv_table([("Підпис відповідальної особи", "______________ / ________________ /  «___» ________ 20__ р.")]),
    ]
    return build_pdf(story, title=TITLE, footer_note=f"сформовано {now:%d.%m.%Y %H:%M}")


def response(request, person_id: int) -> HttpResponse:
    """The PDF for the desk (page and API alike); its generation is one ``audit.access_report`` entry."""
    person, rows = selectors.access_report(request.user, person_id)
    office = getattr(request.user, "office", None)
    pdf = access_report_pdf(person, rows, answered_by=office.name if office else str(request.user.role))
    audited_read(actor=request.user, action="audit.access_report", objects=[person], request=request,
                 details={"rows": len(rows)}, limit=False)
    result = HttpResponse(pdf, content_type="application/pdf")
    result["Content-Disposition"] = f'inline; filename="access-report-{person.pk}.pdf"'
    return result
