from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "hromada.applications"
    label = "applications"
    verbose_name = "Заяви"

    def ready(self):
        from hromada.accounts import access
        from hromada.accounts.models import Role

        from .models import Application, Document, Status

        def back_office_sees_sent_cases(user, qs):
            # A back office sees cases once they were sent to it, never front-office drafts.
            if user.role in (Role.BACK_SPECIALIST, Role.BACK_HEAD):
                return qs.exclude(status=Status.DRAFT).filter(back_office_id=user.office_id)
            return qs

        access.register(Application, view_action="application.view", path="hromada",
                        refine=back_office_sees_sent_cases)
        access.register(Document, view_action="application.view", path="application__hromada",
                        refine=lambda user, qs: qs.filter(
                            application__in=back_office_sees_sent_cases(user, Application.objects.all())))
