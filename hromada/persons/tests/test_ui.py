from datetime import date

import pytest
from django.test import Client

from hromada import testing
from hromada.applications.services.intake import create_application
from hromada.catalog.models import ServiceType
from hromada.persons.models import HouseholdMember, Person, PersonLink
from hromada.persons.testing import make_rnokpp

from .factories import BARANIVKA, make_person

pytestmark = pytest.mark.django_db


def login(username):
    client = Client()
    client.force_login(testing.user(username))
    return client


def form_data(**over):
    data = {"last_name": "Формений", "first_name": "Остап", "patronymic": "Ігорович", "birth_date": "1988-08-08",
            "sex": "M", "rnokpp": "", "no_rnokpp_reason": "", "id_document_type": "id_card",
            "id_document_number": "555666777", "settlement_code": BARANIVKA, "street": "вул. Соборна", "house": "9",
            "flat": "", "phone": "0971112233", "email": ""}
    data.update(over)
    return data


def rnokpp_for(born, sex="M", serial=4500):
    return make_rnokpp(born, sex, serial)


def test_nav_and_search_page_render_for_front(demo):
    client = login("front_demo")
    home = client.get("/").content.decode()
    assert "/persons/" in home and "Особи" in home
    html = client.get("/persons/").content.decode()
    assert "Знайти особу" in html and 'for="q"' in html and "Зареєструвати особу" in html


def test_name_search_and_htmx_fragment(demo):
    client = login("front_demo")
    res = client.get("/persons/", {"q": "коваленко"}, headers={"HX-Request": "true"})
    html = res.content.decode()
    assert "<html" not in html
    assert "Коваленко Марія Іванівна" in html and "Коваленко Софія" in html
    assert "Обрати" not in html
    # front2 does not see Баранівська residents by name
    html = login("front2_demo").get("/persons/", {"q": "коваленко"}).content.decode()
    assert "Коваленко Марія" not in html and "нікого не знайдено" in html


def test_pick_mode_appends_person_to_local_next(demo):
    client = login("front_demo")
    maria = Person.objects.get(last_name="Коваленко", first_name="Марія")
    html = client.get("/persons/", {"q": "коваленко марія", "next": "/front/new/?service=birth"}).content.decode()
    assert "Обрати" in html
    assert f"/front/new/?service=birth&amp;person={maria.pk}" in html
    for evil in ("https://evil.example/x", "//evil.example/x", "javascript:alert(1)"):
        html = client.get("/persons/", {"q": "коваленко", "next": evil}, headers={"HX-Request": "true"}).content.decode()
        assert "Коваленко Марія" in html
        assert "Обрати" not in html and "evil.example" not in html and "javascript" not in html


def test_card_renders_with_household(demo):
    client = login("front_demo")
    maria = Person.objects.get(last_name="Коваленко", first_name="Марія")
    html = client.get(f"/persons/{maria.pk}/").content.decode()
    assert maria.rnokpp in html
    assert "Коваленко Петро" in html and "Коваленко Софія" in html
    assert login("front2_demo").get(f"/persons/{maria.pk}/").status_code == 404


def test_register_through_form(demo):
    client = login("front_demo")
    page = client.get("/persons/new/?q=Формений Остап")
    assert page.status_code == 200
    assert 'value="Формений"' in page.content.decode()
    born = date(1988, 8, 8)
    res = client.post("/persons/new/", form_data(rnokpp=rnokpp_for(born)))
    assert res.status_code == 302, res.content.decode()[:3000]
    person = Person.objects.get(last_name="Формений")
    assert res["Location"] == f"/persons/{person.pk}/"
    assert person.phone == "+380971112233" and person.registered_hromada_id == person.registered_by.office.hromada_id


def test_register_form_shows_inline_errors(demo):
    client = login("front_demo")
    res = client.post("/persons/new/", form_data(rnokpp="1234567890", phone="12", id_document_type="passport",
                                                 id_document_number="AB123456"))
    html = res.content.decode()
    assert res.status_code == 200
    assert "РНОКПП має складатися з 10 цифр" in html
    assert "Телефон: +380 і 9 цифр" in html
    assert "Латинські літери не допускаються" in html
    assert not Person.objects.filter(last_name="Формений").exists()


def test_register_form_duplicate_warning_and_confirm(demo):
    client = login("front_demo")
    make_person(Person.objects.first().registered_by, last_name="Формений", first_name="Остап",
                born=date(1988, 8, 8))
    data = form_data(last_name="ФОРМЕНИЙ", rnokpp=rnokpp_for(date(1988, 8, 8), serial=4600))
    html = client.post("/persons/new/", data).content.decode()
    assert "Можливо, цю особу вже зареєстровано" in html and "це інша особа" in html.lower()
    assert Person.objects.filter(name_key__startswith="формений").count() == 1
    res = client.post("/persons/new/", {**data, "confirm_not_duplicate": "on"})
    assert res.status_code == 302
    assert Person.objects.filter(name_key__startswith="формений").count() == 2


def test_register_with_next_returns_to_wizard(demo):
    client = login("front_demo")
    res = client.post("/persons/new/?next=/front/new/%3Fstep%3D1",
                      form_data(rnokpp=rnokpp_for(date(1988, 8, 8), serial=4700)))
    person = Person.objects.get(rnokpp=rnokpp_for(date(1988, 8, 8), serial=4700))
    assert res.status_code == 302 and res["Location"] == f"/front/new/?step=1&person={person.pk}"


def test_household_member_register_and_link(demo):
    client = login("front_demo")
    head = Person.objects.get(last_name="Пʼятниця")
    page = client.get(f"/persons/new/?household_for={head.pk}").content.decode()
    assert "Ступінь зв’язку з особою" in page
    born = date(2010, 2, 2)
    res = client.post(f"/persons/new/?household_for={head.pk}",
                      form_data(last_name="Пʼятниця", first_name="Лука", birth_date="2010-02-02",
                                rnokpp=rnokpp_for(born, serial=4800), id_document_type="birth_certificate",
                                id_document_number="I-ЖТ 111222", relation="grandchild"))
    assert res.status_code == 302 and res["Location"] == f"/persons/{head.pk}/"
    link = HouseholdMember.objects.get(person=head)
    assert link.member.first_name == "Лука" and link.relation == "grandchild"


def test_household_add_existing(demo):
    client = login("front_demo")
    head = Person.objects.get(last_name="Григорчук")
    hanna = Person.objects.get(last_name="Пʼятниця", first_name="Ганна")
    html = client.get(f"/persons/{head.pk}/household/add/", {"q": "пятниця"}).content.decode()
    assert "Пʼятниця Ганна" in html
    res = client.post(f"/persons/{head.pk}/household/add/", {"member_id": hanna.pk, "relation": "spouse"})
    assert res.status_code == 302
    assert HouseholdMember.objects.filter(person=head, member=hanna, relation="spouse").exists()
    res = client.post(f"/persons/{head.pk}/household/{hanna.pk}/remove/")
    assert res.status_code == 302 and not HouseholdMember.objects.filter(person=head).exists()
    assert login("front2_demo").post(f"/persons/{head.pk}/household/{hanna.pk}/remove/").status_code == 404


def test_other_hromadas_resident_is_taken_into_work_by_an_explicit_post(demo):
    vasyl = Person.objects.get(last_name="Бондаренко", first_name="Василь")   # Тетерівська
    client = login("front_demo")
    html = client.get("/persons/", {"q": vasyl.rnokpp, "next": "/front/new/"}).content.decode()
    assert "Бондаренко" not in html and "Взяти особу в роботу громади" in html
    assert f"rnokpp={vasyl.rnokpp}" in html
    assert not PersonLink.objects.filter(person=vasyl).exists()
    form = client.get("/persons/take/", {"rnokpp": vasyl.rnokpp, "next": "/front/new/"}).content.decode()
    assert vasyl.rnokpp in form and "Бондаренко" not in form
    assert not PersonLink.objects.filter(person=vasyl).exists()
    res = client.post("/persons/take/", {"rnokpp": vasyl.rnokpp, "id_document_number": "000000000",
                                         "reason": "звернення за допомогою", "next": "/front/new/"})
    assert res.status_code == 200 and "не знайдено" in res.content.decode()
    res = client.post("/persons/take/", {"rnokpp": vasyl.rnokpp, "id_document_number": vasyl.id_document_number,
                                         "reason": "звернення за допомогою", "next": "/front/new/"})
    assert res.status_code == 302 and res["Location"].startswith(f"/persons/{vasyl.pk}/?next=")
    assert PersonLink.objects.filter(person=vasyl).count() == 1
    assert "Бондаренко Василь" in client.get("/persons/", {"q": vasyl.rnokpp}).content.decode()


def test_settlement_suggestions(demo):
    html = login("front_demo").get("/persons/settlements/", {"settlement_q": "баранів"}).content.decode()
    assert BARANIVKA in html and "<option" in html


def test_edit_form(demo):
    client = login("front_demo")
    hanna = Person.objects.get(last_name="Пʼятниця", first_name="Ганна")
    page = client.get(f"/persons/{hanna.pk}/edit/").content.decode()
    assert "Змінити дані особи" in page
    data = form_data(last_name=hanna.last_name, first_name=hanna.first_name, patronymic=hanna.patronymic,
                     birth_date=hanna.birth_date.isoformat(), sex="F", rnokpp=hanna.rnokpp, id_document_type="passport",
                     id_document_number=hanna.id_document_number, phone="0501234567", version=hanna.version)
    res = client.post(f"/persons/{hanna.pk}/edit/", data)
    assert res.status_code == 302, res.content.decode()[:2000]
    hanna.refresh_from_db()
    assert hanna.phone == "+380501234567" and hanna.street == "вул. Соборна"
    res = client.post(f"/persons/{hanna.pk}/edit/", {**data, "version": hanna.version - 1})
    assert "вже змінив інший користувач" in res.content.decode()


def test_back_office_cannot_open_register(demo):
    assert login("back_demo").get("/persons/new/").status_code == 403
    assert login("ministry_demo").get("/persons/").status_code == 403


def test_card_lists_the_persons_applications(demo):
    front = testing.user("front")
    maria = Person.objects.get(last_name="Коваленко", first_name="Марія")
    service = ServiceType.objects.order_by("code").first()
    app = create_application(actor=front, service_code=service.code, applicant_id=maria.pk)
    html = login("front_demo").get(f"/persons/{maria.pk}/").content.decode()
    assert app.number in html and f"/front/{app.pk}/" in html


def test_form_hints_are_described_for_screen_readers(demo):
    html = login("front_demo").get("/persons/new/").content.decode()
    assert 'aria-describedby="id_rnokpp_helptext"' in html
    assert 'for="id_settlement_code"' in html and 'for="settlement_q"' in html


def test_live_typing_never_links_other_hromadas_people(demo):
    vasyl = Person.objects.get(last_name="Бондаренко", first_name="Василь")   # Тетерівська, ID card 009876543
    client = login("front_demo")
    html = client.get("/persons/", {"q": vasyl.id_document_number, "live": "1"},
                      headers={"HX-Request": "true"}).content.decode()
    assert "Бондаренко" not in html and "Взяти особу в роботу громади" in html
    html = client.get("/persons/", {"q": vasyl.id_document_number}, headers={"HX-Request": "true"}).content.decode()
    assert "Бондаренко" not in html
    assert not PersonLink.objects.filter(person=vasyl).exists()


def test_register_form_about_another_hromadas_resident_names_nobody(demo):
    vasyl = Person.objects.get(last_name="Бондаренко", first_name="Василь")   # Тетерівська
    client = login("front_demo")
    same_number = form_data(last_name="Бондаренко", first_name="Василь", patronymic="",
                            birth_date=vasyl.birth_date.isoformat(), rnokpp=vasyl.rnokpp, id_document_number="",
                            id_document_type="")
    html = client.post("/persons/new/", same_number).content.decode()
    assert "іншій громаді" in html and "Взяти особу в роботу громади" in html
    assert f"rnokpp={vasyl.rnokpp}" in html
    assert "Тетерівська" not in html and vasyl.id_document_number not in html and "+380501112233" not in html
    similar = form_data(last_name="БОНДАРЕНКО", first_name="Василь", patronymic="", id_document_number="",
                        id_document_type="",
                        birth_date=vasyl.birth_date.isoformat(), rnokpp=make_rnokpp(vasyl.birth_date, "M", 4700))
    html = client.post("/persons/new/", similar).content.decode()
    assert "Схожу особу зареєстровано в іншій громаді" in html and "Тетерівська" not in html
    assert vasyl.rnokpp[-4:] not in html
    res = client.post("/persons/new/", {**similar, "confirm_not_duplicate": "on"})
    assert res.status_code == 302


def test_a_pasted_unregistered_rnokpp_says_not_found(demo):
    """Pasting fires the live search: a complete, valid number is looked up at once and the answer is final."""
    client = login("front_demo")
    number = make_rnokpp(date(1979, 4, 2), "M", 431)
    assert not Person.objects.filter(rnokpp=number).exists()
    for pasted in (number, f"{number[:4]}-{number[4:7]}-{number[7:]}", f" {number}.\u200b"):
        html = client.get("/persons/", {"q": pasted, "live": "1"}, headers={"HX-Request": "true"}).content.decode()
        assert "Особу з таким РНОКПП у вашій громаді не знайдено." in html, pasted
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    html = client.get("/persons/", {"q": wrong, "live": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert "не знайдено" in html and "контрольна цифра" in html
    # A registered resident of another hromada is not shown by a search (no enumeration across the country):
    # the answer offers to take her into the hromada's work with a document.
    other = Person.objects.exclude(rnokpp=None).exclude(
        registered_hromada=testing.user("front_demo").office.hromada).first()
    html = client.get("/persons/", {"q": other.rnokpp, "live": "1"}, headers={"HX-Request": "true"}).content.decode()
    assert other.last_name not in html and "Взяти особу в роботу громади" in html


def test_latin_letters_in_a_surname_get_a_warning(demo):
    client = login("front_demo")
    res = client.post("/persons/new/", form_data(last_name="Koвальчук", id_document_number="555666778",
                                                  rnokpp=make_rnokpp(date(1988, 8, 8), "M", 611)), follow=True)
    html = res.content.decode()
    assert "Особу" in html and "зареєстровано" in html
    assert "латинські літери (K, o)" in html             # "Ko" typed on the English layout
    res = client.post("/persons/new/", form_data(last_name="Ковальчишин", id_document_number="555666779",
                                                  rnokpp=make_rnokpp(date(1988, 8, 8), "M", 613)), follow=True)
    assert "латинські літери" not in res.content.decode()
    form = client.get("/persons/new/").content.decode()
    assert 'data-latin-warning="' in form


def test_settlement_picker_looks_in_the_desks_hromada_first_and_never_preselects_another_oblast(demo):
    import re

    from hromada.persons.models import RESIDENCE_CATEGORIES
    from hromada.territory.models import Unit

    hromada = testing.user("front_demo").office.hromada
    categories = list(RESIDENCE_CATEGORIES)
    own = None
    for unit in Unit.objects.filter(hromada=hromada, category__in=categories, is_active=True).order_by("name"):
        # A namesake in another oblast that the plain alphabetical-then-code order would list first.
        if Unit.objects.filter(name=unit.name, category__in=categories, is_active=True, code__lt=unit.code) \
                .exclude(oblast_id=hromada.oblast_id).exists():
            own = unit
            break
    assert own is not None
    client = login("front_demo")
    html = client.get("/persons/settlements/", {"settlement_q": own.name}).content.decode()
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options[0] == own.code                 # the desk's own place first: picking it needs no extra step
    # Only other oblasts have the name: nothing is chosen for the specialist.
    html = client.get("/persons/settlements/", {"settlement_q": "Ужгород"}).content.decode()
    options = re.findall(r'<option value="([^"]*)"( selected)?', html)
    assert options[0] == ("", " selected") and len(options) > 1 and "оберіть зі списку" in html
