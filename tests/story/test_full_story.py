"""The whole story in a real browser (Debian chromium, headless), as the people who use Hromada would live it:

front_demo registers a family and takes an application with scans, prints the receipt → back_demo takes it and
returns it for correction → the front office corrects and resubmits → back_demo grants it with the calculator →
the front office hands out the result → ministry_demo runs the month's billing and the hromada's act includes it
→ the national dashboard shows it. Screenshots of each step: var/screenshots/story-*.png.
"""
import io
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from hromada.browser_testing import sign_out, wait_for_htmx

pytestmark = pytest.mark.browser
BARANIVSKA = "UA18080010000090720"
BARANIVKA = "UA18080010010059187"


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())


def scan(tmp_path, name, color):
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (80, 60), color).save(path)
    return str(path)


def fill_person(page, *, last, first, patronymic, born, sex, rnokpp, doc_type, doc_number):
    page.fill("#id_last_name", last)
    page.fill("#id_first_name", first)
    page.fill("#id_patronymic", patronymic)
    page.fill("#id_birth_date", born.isoformat())
    page.check("#id_sex_0" if sex == "M" else "#id_sex_1")
    page.fill("#id_rnokpp", rnokpp)
    page.select_option("#id_id_document_type", doc_type)
    page.fill("#id_id_document_number", doc_number)


def pick_person(page, query, name):
    page.fill("#q", query)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.locator("tr", has_text=name).get_by_role("link", name="Обрати").first.click()
    page.wait_for_load_state()


def billed_count(server, period) -> int:
    out = server.shell(
        "from hromada.billing.models import BillingLine\n"
        "from django.db.models import Sum\n"
        f"y, m = {period[:4]}, {int(period[5:])}\n"
        f"q = BillingLine.objects.filter(period__year=y, period__month=m, hromada__code='{BARANIVSKA}')\n"
        "print(q.aggregate(n=Sum('count'))['n'] or 0)")
    return int(out.strip().splitlines()[-1])


def test_full_story(page, hromada_server, login, shot, tmp_path, unique):
    url = hromada_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # «Підтвердіть, що заявник отримав результат»
    today = date.today()
    # Today's case is billed in today's month (never one ``unique.billing_month`` hands out, nor one a test closes).
    period = f"{today:%Y-%m}"

    # The month's billing as it stands before the story (a run of an open month is repeatable).
    hromada_server.shell(
        "from hromada.accounts.models import User; from hromada.billing.services import run_billing_period;"
        f"run_billing_period(actor=User.objects.get(username='ministry_demo'), period='{period}')")
    billed_before = billed_count(hromada_server, period)

    # 1. Front office: the family is registered (mother and child), then the application with scans.
    login(page, "front_demo")
    page.goto(f"{url}/persons/new/")
    born = date(1993, 4, 12)
    mother_rnokpp = unique.rnokpp(born, "F")
    fill_person(page, last="Ткачук", first="Мирослава", patronymic="Ігорівна", born=born, sex="F",
                rnokpp=mother_rnokpp, doc_type="id_card", doc_number=unique.id_card_number())
    page.fill("#settlement_q", "Баранівка")
    page.wait_for_selector(f"#id_settlement_code option[value={BARANIVKA}]", state="attached")
    page.select_option("#id_settlement_code", BARANIVKA)
    page.fill("#id_street", "вул. Соборна")
    page.fill("#id_house", "7")
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('Ткачук Мирослава Ігорівна')")
    page.click("text=Додати члена домогосподарства")
    page.click("text=Зареєструвати нового члена домогосподарства")
    child_born = today - timedelta(days=40)
    fill_person(page, last="Ткачук", first="Остап", patronymic="Андрійович", born=child_born, sex="M",
                rnokpp=unique.rnokpp(child_born, "M"), doc_type="birth_certificate",
                doc_number=unique.birth_certificate_number())
    page.select_option("#id_relation", "child")
    page.click("button[type=submit].primary")
    page.wait_for_selector("h1:has-text('Ткачук Мирослава Ігорівна')")
    expect(page.locator("section[aria-labelledby=hh-title]")).to_contain_text("Ткачук Остап Андрійович")
    shot(page, "story-01-family-registered")

    page.goto(f"{url}/front/new/")
    page.fill("#service-q", "народж")
    page.wait_for_timeout(600)
    page.get_by_role("link", name=re.compile("Допомога при народженні дитини")).click()
    page.wait_for_load_state()
    page.click("#pick-applicant")
    pick_person(page, "Ткачук Мирослава", "Мирослава")
    page.click("#create-draft")
    page.wait_for_url(re.compile(r"/front/\d+/edit/"))
    app_url = page.url.replace("edit/", "")
    app_id = int(re.search(r"/front/(\d+)/", app_url).group(1))
    page.click("#pick-member")
    pick_person(page, "Ткачук Остап", "Остап")
    page.select_option("#role", "family_member")
    page.click("#add-member")
    page.wait_for_load_state()
    for code, color in (("application_form", (200, 0, 0)), ("identity_document", (0, 150, 0)),
                        ("child_birth_certificate", (0, 0, 180))):
        page.set_input_files(f"#file-{code}", scan(tmp_path, f"{code}.png", color))
        page.locator(f"#item-{code} button[type=submit]").click()
        page.wait_for_selector(f"#item-{code}.is-provided")
    shot(page, "story-02-documents")
    page.click("#to-review")
    page.wait_for_url(re.compile(r"/review/"))
    page.click("#submit-application")
    page.wait_for_url(re.compile(r"/front/\d+/\?submitted=1"))
    number = page.locator("#app-number").inner_text().strip()
    shot(page, "story-03-submitted")
    receipt = page.request.get(f"{app_url}receipt.pdf")
    assert receipt.status == 200
    text = pdf_text(receipt.body())
    assert "Повідомлення про прийняття заяви" in text and number in text and "Ткачук Мирослава" in text

    # 2. Back office takes it and returns it for correction.
    sign_out(page)
    login(page, "back_demo")
    page.goto(f"{url}/back/cases/{app_id}/")
    expect(page.locator("h1")).to_contain_text(number)
    page.click("#take-button")
    page.locator("#return-panel summary").click()
    page.fill("#return-reason", "Скан свідоцтва про народження нечіткий, додайте чіткіший")
    page.get_by_label("Свідоцтво про народження дитини").check()
    page.click("#return-button")
    expect(page.locator("#case-status")).to_have_text("Повернуто на доопрацювання")
    shot(page, "story-04-returned-by-back-office")

    # 3. Front office corrects (a clearer scan) and resubmits.
    sign_out(page)
    login(page, "front_demo")
    page.click("nav.nav >> text=Повернуті на доопрацювання")
    expect(page.locator("main")).to_contain_text(number)   # content() read before the new page was half-written
    expect(page.locator("main")).to_contain_text("нечіткий")
    shot(page, "story-05-returned-list")
    page.goto(f"{app_url}edit/")
    if page.locator("#file-child_birth_certificate").count():
        page.set_input_files("#file-child_birth_certificate", scan(tmp_path, "clear.png", (10, 10, 250)))
        page.locator("#item-child_birth_certificate").get_by_role("button", name="Додати ще файл").click()
        wait_for_htmx(page)
    page.fill("#resubmit-comment", "Додано чіткий скан свідоцтва")
    page.click("#resubmit")
    expect(page.locator("body")).to_contain_text("Надіслано повторно")   # waits for the page the click opens
    shot(page, "story-06-resubmitted")

    # 4. Back office grants it with the calculator.
    sign_out(page)
    login(page, "back_demo")
    page.goto(f"{url}/back/cases/{app_id}/")
    page.click("#take-button")
    page.locator("#grant-panel summary").click()
    page.fill("#calc-birth_date", child_born.isoformat())
    page.click("#calc-button")
    page.wait_for_selector(".calc-lines")
    expect(page.locator("#calc-result")).to_contain_text("50 000,00")
    shot(page, "story-07-calculator")
    page.click("#grant-button")
    expect(page.locator("#case-status")).to_have_text("Результат у фронт-офісі")
    shot(page, "story-08-granted")

    # 5. Front office hands out the result.
    sign_out(page)
    login(page, "front_demo")
    page.click("nav.nav >> text=Результати до видачі")
    row = page.locator("tr", has_text=number)
    row.get_by_role("button", name="Видати результат").click()
    # The hand-out's own answer first: a goto before it would cancel the form's navigation.
    expect(page.locator("body")).to_contain_text(f"Результат за заявою {number} видано заявнику")
    page.goto(app_url)
    assert "Закрито" in page.locator("body").inner_text() or "Результат видано" in page.locator("body").inner_text()
    shot(page, "story-09-result-issued")

    # 6. Ministry runs the month's billing; the hromada's act includes the application.
    sign_out(page)
    login(page, "ministry_demo")
    page.click("nav.nav >> text=Оплата громадам")
    page.fill("#id_period", period)
    page.click("form >> text=Розрахувати")
    page.wait_for_selector("#run-status >> text=Завершено", timeout=60000)
    shot(page, "story-10-billing-run")
    page.click("#run-status >> text=Переглянути період")
    page.click("table >> text=Житомирська")
    page.click("table >> text=Звягельський")
    expect(page.locator(f"a[href$='/acts/{BARANIVSKA}.pdf']")).to_have_count(1)
    shot(page, "story-11-billing-drilldown")
    assert billed_count(hromada_server, period) == billed_before + 1
    act = page.request.get(f"{url}/api/v1/billing/periods/{period}/acts/{BARANIVSKA}.pdf")
    assert act.status == 200
    assert "Допомога при народженні дитини" in pdf_text(act.body())

    # 7. The national dashboard shows it (aggregates refreshed on demand by the ministry).
    page.click("nav.nav >> text=Моніторинг")
    expect(page.locator("h1")).to_have_text("Україна")    # the dashboard, parsed, before its refresh form is looked for
    if page.locator("form.refresh button").count():
        page.locator("form.refresh button").click()
        page.wait_for_load_state()
    page.goto(f"{url}/monitoring/hromada/{BARANIVSKA}/?period={period}")
    accepted = hromada_server.shell(
        "from hromada.applications.models import Application\nfrom django.utils import timezone\n"
        "from datetime import datetime\n"
        f"start = timezone.make_aware(datetime({today.year}, {today.month}, 1))\n"
        f"print(Application.objects.filter(hromada__code='{BARANIVSKA}', first_submitted_at__gte=start).count())")
    expected = accepted.strip().splitlines()[-1]
    kpis = page.locator(".kpi").all_inner_texts()
    accepted_kpi = next(k for k in kpis if k.startswith("Прийнято"))
    assert re.sub(r"\D", "", accepted_kpi.split("\n")[-1]) == expected, (accepted_kpi, expected)
    shot(page, "story-12-dashboard-hromada")
    page.goto(f"{url}/monitoring/")
    page.wait_for_function("() => !!(window.Chart && Chart.getChart(document.getElementById('series-chart')))")
    shot(page, "story-13-dashboard-national")
