from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "hromada.audit"
    label = "audit"
    verbose_name = _("Журнал аудиту")

    def ready(self):
        from hromada.accounts.access import register

        from . import guard
        from .models import AuditEntry
        from .scope import scope_q

        connection_created.connect(guard.register_sqlite_function, dispatch_uid="hromada_audit_sqlite_guard")
        register(AuditEntry, view_action="audit.view", q=scope_q)
