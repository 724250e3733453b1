from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "hromada.territory"
    label = "territory"
    verbose_name = _("Територія (КАТОТТГ)")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from hromada.accounts import access
        from hromada.audit import services as audit

        from .models import Category, Unit
        from .selectors import forget_changed_unit, unit_id_of_code

        def level(unit) -> str:
            if unit.category in (Category.OBLAST, Category.SPECIAL_CITY):
                return "oblast"
            return {Category.RAION: "raion", Category.HROMADA: "hromada"}.get(unit.category, "")

        access.territory_level.provide(level)
        access.raion_hromada_ids.provide(
            lambda raion: Unit.objects.filter(category=Category.HROMADA, raion=raion).values_list("id", flat=True))
        access.oblast_unit_ids.provide(lambda oblast_id: Unit.objects.filter(oblast_id=oblast_id).values("id"))
        from hromada.audit import slots as audit_slots

        audit_slots.unit_names.provide(
            lambda ids: {pk: (name, code) for pk, name, code in
                         Unit.objects.filter(pk__in=list(ids)).values_list("id", "name", "code")})
        access.unit_id_of_code.provide(unit_id_of_code)
        audit.oblast_of_hromada.provide(
            lambda hromada_id: Unit.objects.filter(pk=hromada_id).values_list("oblast_id", flat=True).first())

        post_save.connect(forget_changed_unit, sender=Unit, dispatch_uid="territory.forget_unit_code")
        post_delete.connect(forget_changed_unit, sender=Unit, dispatch_uid="territory.forget_unit_code.delete")
