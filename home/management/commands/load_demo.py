"""``manage.py load_demo``: a complete French demo site, safe to run again and again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from home.demo import load_editorial_demo


class Command(BaseCommand):
    help = "Crée le site de démonstration de LaGrappe (idempotent : une deuxième exécution ne change rien)."

    def handle(self, *args, **options):
        self.load_editorial_content()
        # ------------------------------------------------------------------
        # Directory demo: the lead wires the directory's seeding here.
        # ------------------------------------------------------------------
        self.stdout.write(self.style.SUCCESS("Démonstration prête. Administration : /admin/ (admin / lagrappe)."))

    def load_editorial_content(self):
        # One transaction: an interrupted run leaves nothing half-built.
        with transaction.atomic():
            load_editorial_demo(log=self.stdout.write)
