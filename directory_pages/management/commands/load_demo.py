"""``manage.py load_demo``: a complete French demo site, safe to run again and again."""

from django.core.management.base import BaseCommand
from django.db import transaction

from directory.demo import load_directory_demo
from home.demo import load_editorial_demo
from search import sync

from ...demo import load_directory_pages


class Command(BaseCommand):
    help = "Crée le site de démonstration de LaGrappe (idempotent : une deuxième exécution ne change rien)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--structures", type=int, default=None, help="Nombre de structures générées pour l’annuaire."
        )

    def handle(self, *args, **options):
        # One transaction per part: an interrupted run leaves nothing half-built.
        with transaction.atomic():
            load_editorial_demo(log=self.stdout.write)
        self.stdout.write("Annuaire de démonstration…")
        with transaction.atomic():
            kwargs = {"progress": True}
            if options["structures"] is not None:
                kwargs["count"] = options["structures"]
            totals = load_directory_demo(**kwargs)
            load_directory_pages(log=self.stdout.write)
        self.stdout.write(f"  annuaire : {totals}")
        # Bring the search documents (and the engine index, when configured) up to date now
        # rather than on the first visit.
        report = sync.drain(force=True)
        self.stdout.write(
            f"  index de recherche : {report.processed} document(s) mis à jour, {report.remaining} en attente"
        )
        self.stdout.write(self.style.SUCCESS("Démonstration prête. Administration : /admin/ (admin / lagrappe)."))
