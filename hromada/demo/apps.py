from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "hromada.demo"
    label = "demo"
    verbose_name = "Демо-дані"
