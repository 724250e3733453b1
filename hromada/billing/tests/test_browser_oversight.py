"""Oversight people can use (#23), in Chromium: the ministry drills a hromada's line down to its applications and
excludes one; the auditor reads the log with names and old → new values; the desk prints a resident's access
report. The screenshots in docs/screenshots/ come from here
(`HROMADA_PUBLISH_SCREENSHOTS=1`). It runs on the session's shared server
(its own cases are in a month of its own and its resident's РНОКПП is new, both from ``unique`` / UniqueValues)."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hromada.browser_testing import SCREENSHOTS, sign_out, wait_for_htmx

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
BARANIVSKA = "UA18080010000090720"

SETUP = """
from datetime import date
from hromada.accounts.models import User
from hromada.audit.services import audited_read
from hromada.billing.tests.factories import kyiv, make_application, person
from hromada.persons import services as persons
from hromada.persons.tests.factories import make_person
from hromada.test_values import UniqueValues
front = User.objects.select_related("office__hromada").get(username="front_demo")
front2 = User.objects.select_related("office__hromada").get(username="front2_demo")
back = User.objects.get(username="back_demo")
repeat = person(front.office.hromada)
for day in (3, 4):
    make_application(office=front.office, user=front, submitted_at=kyiv(YEAR, MONTH, day), applicant=repeat)
for day in (5, 6, 7):
    make_application(office=front.office, user=front, submitted_at=kyiv(YEAR, MONTH, day))
make_application(office=front2.office, user=front2, submitted_at=kyiv(YEAR, MONTH, 6))
values = UniqueValues.for_django()
resident = make_person(front, last_name="Гнатюк", first_name="Оксана", patronymic="Петрівна", sex="F",
                       rnokpp=values.rnokpp(date(1979, 4, 11), "F"),
                       id_document={"type": "id_card", "number": values.id_card_number()})
persons.update_person(actor=front, person_id=resident.pk, expected_version=1,
                      data={"rnokpp": values.rnokpp(resident.birth_date, "F"), "phone": "0671112233"})
audited_read(actor=front2, action="person.view", objects=[resident], request=None)
case = make_application(office=front.office, user=front, submitted_at=kyiv(YEAR, MONTH, 8), applicant=resident)
audited_read(actor=back, action="application.view", objects=[case], request=None)
print("person", resident.pk)
"""


def _publish(name: str) -> None:
    # Only when asked (HROMADA_PUBLISH_SCREENSHOTS=1): a test run must not rewrite the documentation's files.
    if os.environ.get("HROMADA_PUBLISH_SCREENSHOTS") != "1":
        return
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", DOCS / f"{name}.png")


def test_drilldown_audit_log_and_access_report(page, hromada_server, live_server_url, login, shot, unique):
    month = unique.billing_month()
    out = hromada_server.shell(f"YEAR, MONTH = {int(month[:4])}, {int(month[5:])}\n" + SETUP)
    person_id = int(out.split("person", 1)[1].split()[0])

    login(page, "ministry_demo")
    page.goto(f"{live_server_url}/billing/")
    page.fill("#id_period", month)
    page.click("form >> text=Розрахувати")
    page.wait_for_selector("#run-status >> text=Завершено")
    page.goto(f"{live_server_url}/billing/{month}/?oblast=&raion=")
    page.goto(f"{live_server_url}/billing/{month}/hromadas/{BARANIVSKA}/")
    assert page.locator("tr[data-state=duplicate]").count() == 1
    row = page.locator("tr[data-state=paid]").last
    row.locator("input[name=reason]").fill("дублікат заяви в іншій послузі (перевірка 04.2025)")
    row.locator("button", has_text="Виключити").click()
    wait_for_htmx(page)
    page.goto(f"{live_server_url}/billing/{month}/hromadas/{BARANIVSKA}/")
    assert page.locator("tr[data-state=excluded]").count() == 1
    assert "Повернути до оплати" in page.content()
    shot(page, "oversight-billing-items")
    _publish("oversight-billing-items")

    sign_out(page)
    login(page, "auditor_demo")
    page.goto(f"{live_server_url}/audit/")
    page.click("text=Перевірити зараз")
    page.wait_for_selector("[data-chain=ok]")
    page.goto(f"{live_server_url}/audit/?person_id={person_id}")
    assert "Дані особи змінено" in page.content() and "РНОКПП" in page.content()
    shot(page, "oversight-audit-log")
    _publish("oversight-audit-log")

    sign_out(page)
    login(page, "front_demo")
    page.goto(f"{live_server_url}/persons/{person_id}/access-report/")
    assert page.locator("tr[data-other-office]").count() >= 2
    shot(page, "oversight-access-report")
    _publish("oversight-access-report")
    pdf = page.request.get(f"{live_server_url}/persons/{person_id}/access-report/?format=pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    (SCREENSHOTS / "oversight-access-report.pdf").write_bytes(pdf.body())
    if shutil.which("pdftoppm"):
        # Rendered beside the screenshots; copied to docs/ only when publishing (it used to rewrite docs/ each run).
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(SCREENSHOTS / "oversight-access-report.pdf"),
                        str(SCREENSHOTS / "oversight-access-report-pdf")], check=True)
        _publish("oversight-access-report-pdf")
