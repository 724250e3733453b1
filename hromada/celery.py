"""Celery application. Without CELERY_BROKER_URL tasks run eagerly (embedded default)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hromada.settings")

app = Celery("hromada")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
