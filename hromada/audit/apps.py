from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _audit_scope_q(user, scope):
    from django.db.models import Q

    from hromada.accounts.access import oblast_unit_ids

    if scope.level == "country":
        return Q()
    if scope.level == "oblast":
        return Q(hromada_id__in=oblast_unit_ids(scope.oblast_id))
    return Q(hromada_id__in=sorted(scope.hromada_ids))


class AuditConfig(AppConfig):
    name = "hromada.audit"
    label = "audit"
    verbose_name = _("Журнал аудиту")

    def ready(self):
        from hromada.accounts.access import register

        from . import guard
        from .models import AuditEntry

        connection_created.connect(guard.register_sqlite_function, dispatch_uid="hromada_audit_sqlite_guard")
        register(AuditEntry, view_action="audit.view", q=_audit_scope_q)
