"""The demo: Житомирська oblast, Баранівська and Тетерівська hromadas, the offices that decide their cases (the
raions' Pension Fund service centres and social-protection departments, the hromadas' children's services), and
one account per role. Re-running it is harmless (everything is upserted)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from hromada.accounts.models import Role
from hromada.accounts.services import create_staff_user
from hromada.core.discovery import app_modules
from hromada.core.errors import ValidationFailed
from hromada.offices.models import Kind, StaffPosition
from hromada.offices.services import open_office
from hromada.territory.models import Unit

from .social import seed_social_application

DEMO_PASSWORD = "demo12345"

OBLAST = "UA18000000000041385"          # Житомирська
ZVIAHEL_RAION = "UA18080000000016657"   # Звягельський район
ZHYTOMYR_RAION = "UA18040000000058965"  # Житомирський район
BARANIVSKA = "UA18080010000090720"      # Баранівська громада
BARANIVKA = "UA18080010010059187"       # м. Баранівка
TETERIVSKA = "UA18040530000045696"      # Тетерівська громада
TETERIVKA = "UA18040530010026726"       # с. Тетерівка
ZVIAHEL = "UA18080150010017476"         # м. Звягель
ZHYTOMYR = "UA18040190010057814"        # м. Житомир


@dataclass
class DemoAccount:
    username: str
    role_label: str
    where: str


def _unit(code: str) -> Unit:
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        raise ValidationFailed("Спершу імпортуйте кодифікатор КАТОТТГ: python manage.py import_katottg",
                               code="codifier_missing") from None


@transaction.atomic
def seed_demo() -> list[DemoAccount]:
    oblast, zviahel_raion, zhytomyr_raion = _unit(OBLAST), _unit(ZVIAHEL_RAION), _unit(ZHYTOMYR_RAION)
    baranivska, tetervska = _unit(BARANIVSKA), _unit(TETERIVSKA)

    front_baranivka = open_office(
        name="Відділ соціального захисту Баранівської міської ради (фронт-офіс)",
        kind=Kind.HROMADA_SOCIAL_UNIT, territory=baranivska, settlement=_unit(BARANIVKA),
        address="м. Баранівка, вул. Соборна, 20", phone="+380414421234")
    front_teteriv = open_office(
        name="ЦНАП Тетерівської сільської ради (фронт-офіс)", kind=Kind.CNAP, territory=tetervska,
        settlement=_unit(TETERIVKA), address="с. Тетерівка, вул. Центральна, 1", phone="+380412431234")
    back_zviahel = open_office(
        name="Управління соціального захисту населення Звягельської РДА", kind=Kind.RAION_SOCIAL_PROTECTION,
        territory=zviahel_raion, settlement=_unit(ZVIAHEL), address="м. Звягель, вул. Шевченка, 16")
    back_zhytomyr = open_office(
        name="Управління соціального захисту населення Житомирської РДА", kind=Kind.RAION_SOCIAL_PROTECTION,
        territory=zhytomyr_raion, settlement=_unit(ZHYTOMYR), address="м. Житомир, вул. Лятошинського, 5")
    # Since 01.07.2025 the Pension Fund decides most state social assistance (catalog: deciding_authority).
    pfu_zviahel = open_office(
        name="Сервісний центр Пенсійного фонду України у Звягельському районі", kind=Kind.PFU_SERVICE_CENTRE,
        territory=zviahel_raion, settlement=_unit(ZVIAHEL), address="м. Звягель, вул. Шевченка, 21")
    pfu_zhytomyr = open_office(
        name="Сервісний центр Пенсійного фонду України у Житомирському районі", kind=Kind.PFU_SERVICE_CENTRE,
        territory=zhytomyr_raion, settlement=_unit(ZHYTOMYR), address="м. Житомир, вул. Бердичівська, 55")
    children_baranivska = open_office(
        name="Служба у справах дітей Баранівської міської ради", kind=Kind.CHILDREN_SERVICE, territory=baranivska,
        settlement=_unit(BARANIVKA), address="м. Баранівка, вул. Соборна, 20")
    # Social services (Law «Про соціальні послуги»): the hromada's own centre decides, not the raion.
    social_centre = open_office(
        name="Центр надання соціальних послуг Баранівської міської ради", kind=Kind.HROMADA_SOCIAL_PROTECTION,
        territory=baranivska, settlement=_unit(BARANIVKA), address="м. Баранівка, вул. Соборна, 22")
    open_office(
        name="Служба у справах дітей Тетерівської сільської ради", kind=Kind.CHILDREN_SERVICE, territory=tetervska,
        settlement=_unit(TETERIVKA), address="с. Тетерівка, вул. Центральна, 1")

    people: list[tuple[str, Role, str, str, str, dict[str, Any]]] = [
        ("front_demo", Role.FRONT_SPECIALIST, "Оксана", "Коваленко", "Петрівна", dict(office=front_baranivka)),
        ("front2_demo", Role.FRONT_SPECIALIST, "Ірина", "Мельник", "Василівна", dict(office=front_teteriv)),
        ("back_demo", Role.BACK_SPECIALIST, "Андрій", "Шевчук", "Іванович", dict(office=pfu_zviahel)),
        ("head_demo", Role.BACK_HEAD, "Наталія", "Бондар", "Олегівна", dict(office=pfu_zviahel)),
        ("back2_demo", Role.BACK_SPECIALIST, "Василь", "Ткаченко", "Миколайович", dict(office=pfu_zhytomyr)),
        ("uszn_demo", Role.BACK_SPECIALIST, "Галина", "Марченко", "Степанівна", dict(office=back_zviahel)),
        ("uszn2_demo", Role.BACK_SPECIALIST, "Петро", "Гончаренко", "Іванович", dict(office=back_zhytomyr)),
        ("hromada_admin_demo", Role.HROMADA_ADMIN, "Олег", "Кравчук", "Петрович", dict(territory=baranivska)),
        ("child_demo", Role.CHILD_SERVICE, "Світлана", "Олійник", "Андріївна",
         dict(territory=baranivska, office=children_baranivska)),
        ("social_demo", Role.SOCIAL_WORKER, "Людмила", "Мороз", "Василівна",
         dict(territory=baranivska, office=social_centre)),
        ("provider_demo", Role.PROVIDER_WORKER, "Ольга", "Кушнір", "Миколаївна", dict(territory=baranivska)),
        ("oblast_demo", Role.OBLAST_MONITOR, "Юрій", "Поліщук", "Степанович", dict(territory=oblast)),
        ("ministry_demo", Role.MINISTRY, "Марина", "Савченко", "Ігорівна", {}),
        ("auditor_demo", Role.AUDITOR, "Тарас", "Лисенко", "Богданович", {}),
        ("admin_demo", Role.SYSADMIN, "Богдан", "Руденко", "Олександрович", {}),
    ]
    accounts = []
    for username, role, first, last, patronymic, scope in people:
        user = create_staff_user(username=username, password=DEMO_PASSWORD, role=role, first_name=first,
                                 last_name=last, patronymic=patronymic, email=f"{username}@hromada.example",
                                 check_password=False, **scope)
        if user.office_id:
            StaffPosition.objects.get_or_create(office=user.office, user=user,
                                                defaults={"title": str(Role(role).label)})
        where = str(user.office or user.territory or "Україна")
        accounts.append(DemoAccount(username, str(Role(role).label), where))
    _seed_apps()
    # Across two sibling floors (applications → social): the demo, above both, walks that path.
    seed_social_application()
    return accounts


def _seed_apps() -> None:
    """Each app may add its own demo data in ``<app>/demo.py: seed()`` (idempotent)."""
    for _config, module in app_modules("demo", exclude=("demo",)):
        module.seed()
