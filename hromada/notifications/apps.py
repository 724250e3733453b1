from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "hromada.notifications"
    label = "notifications"
    verbose_name = _("Сповіщення заявників")

    def ready(self):
        from hromada.core.registry import stranded_work

        from . import tasks

        stranded_work.provide("notifications", tasks.queue_stranded)
