"""`manage.py prepare_stack`: everything a release needs before it serves, in one process.

[setup_db_roles --create →] migrate → ensure_partitions → import_katottg (idempotent) → sync_catalog → collectstatic
[→ seed_demo with --demo]. With DATABASE_MIGRATE_URL the application's role (DATABASE_URL) is created if
missing and granted what it may do first; migrate runs as the owner and re-grants; the rest runs as the
application. Used by `make prod-up`; safe to run on every deploy.
"""
from __future__ import annotations

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from hromada.audit import roles


class Command(BaseCommand):
    help = "Міграції, кодифікатор, каталог послуг і статичні файли (і демодані з --demo) одним процесом."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="також завантажити демонстраційні дані")
        parser.add_argument("--no-static", action="store_true", help="без collectstatic")

    def handle(self, *args, demo: bool, no_static: bool, **options):
        steps = [("setup_db_roles", {"create": True})] if roles.app_role() else []
        steps += [
            ("migrate", {"interactive": False, "verbosity": 1}),
            ("ensure_partitions", {}),   # as the owner, like migrate: the running services may not create tables
            ("import_katottg", {"no_progress": True, "verbosity": 1}),
            ("sync_catalog", {}),
        ]
        if not no_static:
            steps.append(("collectstatic", {"interactive": False, "verbosity": 0}))
        if demo:
            steps.append(("seed_demo", {}))
        for name, kwargs in steps:
            begun = time.monotonic()
            call_command(name, stdout=self.stdout, stderr=self.stderr, **kwargs)
            self.stdout.write(f"{name}: {time.monotonic() - begun:.1f} s")
