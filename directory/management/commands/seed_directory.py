"""manage.py seed_directory --count N [--seed S]: a deterministic synthetic network."""

import time

from django.core.management.base import BaseCommand, CommandError

from directory.seed import DEFAULT_SEED, seed_directory


class Command(BaseCommand):
    help = "Génère un annuaire synthétique déterministe de N structures (démonstrations, mesures de performance)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="Nombre de structures à générer.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Graine du générateur (défaut : {DEFAULT_SEED})."
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="Structures écrites par lot (défaut : 1000).")

    def handle(self, *args, count, seed, batch_size, **options):
        if count < 0:
            raise CommandError("--count doit être un entier positif ou nul.")
        if batch_size < 1:
            raise CommandError("--batch-size doit être au moins 1.")
        started = time.perf_counter()
        totals = seed_directory(count, seed=seed, batch_size=batch_size, progress=options["verbosity"] > 0)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{totals['structures']} structures et {totals['people']} personnes créées, "
                f"{totals['skipped']} déjà présentes ignorées, en {elapsed:.1f} s."
            )
        )
        if totals["structures"]:
            self.stdout.write(
                "Écriture en masse : reconstruisez l’index de recherche (manage.py search_index rebuild)."
            )
