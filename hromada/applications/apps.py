from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "hromada.applications"
    label = "applications"
    verbose_name = "Заяви"

    def ready(self):
        from django.db.models import Q

        from hromada.accounts import access
        from hromada.accounts.models import Role

        from .models import Application, Document, Status

        back_roles = (Role.BACK_SPECIALIST, Role.BACK_HEAD)

        def sent_to_office(user, prefix=""):
            # A back office sees the cases sent to it, never front-office drafts — also the cases of a hromada later
            # moved to another back office, which it still has to finish (the hromada list is not consulted: it
            # would hide them, and it made the planner combine two indexes on every queue page).
            if not user.office_id:
                return Q(pk__in=[])
            return Q(**{f"{prefix}back_office_id": user.office_id}) & ~Q(**{f"{prefix}status": Status.DRAFT})

        access.register(Application, view_action="application.view",
                        q=lambda user, scope: sent_to_office(user) if user.role in back_roles
                        else scope.hromada_q("hromada"))
        access.register(Document, view_action="application.view",
                        q=lambda user, scope: sent_to_office(user, "application__") if user.role in back_roles
                        else scope.hromada_q("application__hromada"))
