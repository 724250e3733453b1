"""Demo social services of Баранівська: three providers (communal, NGO, private), the provider worker's link, and
cases in several states — new, in assessment, assessed, refused, in service with deliveries, on a waiting list,
closed. Idempotent: nothing is added once the hromada has a social case."""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hromada.accounts.models import User
from hromada.persons.models import Person

from . import services
from .models import Provider, SocialCase


def _sections(score: int) -> dict:
    from . import rules

    return {code: services.SectionInput(score, "") for code in rules.sections()}


def seed() -> None:
    social = User.objects.filter(username="social_demo").select_related("territory").first()
    worker = User.objects.filter(username="provider_demo").first()
    front = User.objects.filter(username="front_demo").first()
    if social is None or worker is None or front is None:
        return
    hromada = social.territory
    with transaction.atomic():
        if not Provider.objects.filter(hromada=hromada).exists():
            centre = services.register_provider(
                actor=social, name="КУ «Центр надання соціальних послуг» Баранівської міської ради", kind="communal",
                edrpou="41234567", address="м. Баранівка, вул. Соборна, 22", phone="+380414421300",
                offers={"home_care": 25, "day_care": 15, "family_support": 10, "in_kind": 50, "counselling": 40,
                        "crisis_intervention": 5})
            services.register_provider(
                actor=social, name="ГО «Турбота Полісся»", kind="ngo", edrpou="43012345",
                address="м. Баранівка, вул. Звягельська, 4", offers={"palliative_care": 1, "transport": 6})
            services.register_provider(
                actor=social, name="ФОП Савчук Н. В. (догляд вдома)", kind="private",
                address="м. Баранівка", offers={"home_care": 5})
            services.link_provider_worker(actor=social, user=worker, provider_id=centre.pk)
        if SocialCase.objects.filter(hromada=hromada).exists():
            return
        centre = Provider.objects.get(hromada=hromada, kind="communal")
        people = {p.first_name: p for p in Person.objects.filter(registered_hromada=hromada)}
        hanna, ivan, maria, petro = (people.get(n) for n in ("Ганна", "Іван", "Марія", "Петро"))
        if None in (hanna, ivan, maria, petro):
            return
        today = timezone.localdate()
        start = today - timedelta(days=20)
        # 1. In service: home care by the communal centre, two visits logged by provider_demo.
        served = services.register_social_case(actor=front, person_id=hanna.pk, service_codes=["home_care"],
                                               urgency="normal", applied_on=start,
                                               summary="Самотня, потребує допомоги з побутом і покупками.")
        services.complete_assessment(actor=social, case_id=served.pk, data=services.AssessmentInput(
            sections=_sections(2), conclusion="Потребує догляду вдома 3 рази на тиждень.", recommended=["home_care"],
            free_conditions=["low_income"], home_visit_on=start + timedelta(days=2),
            home_visit_note="Живе сама, другий поверх, ходить з паличкою.", completed_on=start + timedelta(days=3)))
        services.decide(actor=social, case_id=served.pk, outcome="provide", reason="Потребу підтверджено оцінюванням.",
                        services=[services.ServiceChoice("home_care", centre.pk)], decided_on=start + timedelta(days=5))
        services.approve_plan(actor=social, case_id=served.pk, goals="Підтримати самостійне проживання вдома.",
                              consent_on=start + timedelta(days=5), approved_on=start + timedelta(days=6),
                              items=[services.PlanItemInput("home_care", "3 рази на тиждень", "Побут, покупки, ліки",
                                                            "СП-17/2026", start + timedelta(days=6))])
        for d in (7, 9):
            services.record_delivery(actor=worker, case_id=served.pk, service_code="home_care",
                                     delivered_on=start + timedelta(days=d), minutes=90,
                                     note="Прибирання, покупка продуктів і ліків.")
        services.send_referral(actor=social, case_id=served.pk, body="health", purpose="Огляд сімейного лікаря вдома.")
        # 2. Palliative care: the NGO is full (1 place) — the second person waits.
        services.register_social_case(actor=front, person_id=ivan.pk, service_codes=["palliative_care", "transport"],
                                      urgency="crisis", summary="Після інсульту, лежачий.")
        # 3. A crisis application just registered (assessment due within 1 working day).
        assessing = services.register_social_case(actor=social, person_id=maria.pk, service_codes=["family_support"],
                                                  urgency="normal", summary="Сім’я з дитиною, втрата роботи.")
        services.assign(actor=social, case_id=assessing.pk)
        # 4. Refused after an assessment that found no need.
        refused = services.register_social_case(actor=front, person_id=petro.pk, service_codes=["transport"],
                                                urgency="normal", applied_on=today - timedelta(days=10))
        services.complete_assessment(actor=social, case_id=refused.pk, data=services.AssessmentInput(
            sections=_sections(0), conclusion="Пересувається самостійно, потреби не виявлено.",
            completed_on=today - timedelta(days=8)))
        services.decide(actor=social, case_id=refused.pk, outcome="refuse",
                        reason="За результатами оцінювання потреби в транспортній послузі не виявлено.",
                        decided_on=today - timedelta(days=7))
