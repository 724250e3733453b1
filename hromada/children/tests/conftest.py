"""Children's-service fixtures: a second children's service (another hromada), a raion-level one,
and factories that take a case through the workflow via the services."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from hromada.accounts.models import Role
from hromada.accounts.services import create_staff_user
from hromada.children import services
from hromada.demo.services import TETERIVSKA, ZVIAHEL_RAION
from hromada.territory.models import Unit


@pytest.fixture
def child2(demo):
    """Children's service of Тетерівська (another raion): must see nothing of Баранівська."""
    return create_staff_user(username="child2_test", password="demo12345", role=Role.CHILD_SERVICE,
                             first_name="Тетяна", last_name="Гнатюк", territory=Unit.objects.get(code=TETERIVSKA),
                             check_password=False)


@pytest.fixture
def child_raion(demo):
    """Children's service of the Звягельський raion: sees the raion's hromadas (Баранівська among them)."""
    return create_staff_user(username="child_raion_test", password="demo12345", role=Role.CHILD_SERVICE,
                             first_name="Роман", last_name="Дячук", territory=Unit.objects.get(code=ZVIAHEL_RAION),
                             check_password=False)


def child_input(**over):
    data = dict(last_name="Петренко", first_name="Марко", patronymic="Іванович", birth_date=date(2015, 3, 14),
                sex="M")
    data.update(over)
    return services.PersonInput(**data)


@pytest.fixture
def make_case():
    def make(actor, *, reporter_type="school", urgency="planned", reported_on=None, **kw):
        params = dict(actor=actor, child=child_input(**kw.pop("child", {})), urgency=urgency,
                      reporter_type=reporter_type, circumstances=kw.pop("circumstances", ["neglect"]),
                      reported_on=reported_on, summary=kw.pop("summary", "Дитина часто сама вдома."))
        if reporter_type != "anonymous":
            params.update(reporter_name="ЗЗСО № 1 м. Баранівка", reporter_phone="+380501112233")
        params.update(kw)
        return services.register_child_case(**params)
    return make


@pytest.fixture
def assessed_case(make_case, child):
    case = make_case(child)
    services.start_assessment(actor=child, case_id=case.pk)
    services.complete_assessment(actor=child, case_id=case.pk, needs="Нагляд, харчування", findings="Бездоглядність")
    case.refresh_from_db()
    return case


@pytest.fixture
def planned_case(assessed_case, child):
    services.decide_on_circumstances(actor=child, case_id=assessed_case.pk, in_difficult_circumstances=True,
                                     basis="Висновок оцінювання потреб")
    services.approve_case_plan(actor=child, case_id=assessed_case.pk, goal="Повернення належного догляду", measures=[
        services.MeasureInput("Соціальний супровід сім’ї", "Центр надання соціальних послуг",
                              timezone.localdate() + timedelta(days=30))])
    assessed_case.refresh_from_db()
    return assessed_case
