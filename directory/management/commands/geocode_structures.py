"""Give a point to the structures that have an address but none, or an approximate one.

    manage.py geocode_structures              # structures without a point
    manage.py geocode_structures --approximate # also retry commune centres (after an outage)

Runs in this process, in batches, and prints what it found; the national address
service is asked once per address (cached), and skipped for the rest of the run if
it cannot be reached (the commune centre is used instead, flagged approximate).
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.db.models import Q

from directory.geocoding.structures import geocode_structures
from directory.models import Structure

BATCH = 200


class Command(BaseCommand):
    help = "Calcule la position des structures qui ont une adresse mais pas de point (ou un point approximatif)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--approximate",
            action="store_true",
            help="Recalculer aussi les points au centre de la commune (après une panne du service d’adresses).",
        )

    def handle(self, *args, approximate=False, **options):
        has_address = ~Q(postcode="") | ~Q(city="")
        due = Q(latitude__isnull=True) | Q(longitude__isnull=True)
        if approximate:
            # Forget the automatic point so the chain asks the national service again.
            Structure.objects.filter(has_address, location_source="communes").update(location_query="")
            due |= Q(location_source="communes")
        ids = list(Structure.objects.filter(has_address & due).order_by("pk").values_list("pk", flat=True))
        outcomes = Counter()
        for start in range(0, len(ids), BATCH):
            for report in geocode_structures(ids[start : start + BATCH]):
                outcomes[(report.status, report.source, report.precision)] += 1
        labels = {"ban": "Base Adresse Nationale", "communes": "centre de la commune (approximatif)"}
        self.stdout.write(f"{len(ids)} structure(s) à placer.")
        for (status, source, precision), count in sorted(outcomes.items()):
            if status == "geocoded":
                self.stdout.write(f"  {count} placée(s) : {labels.get(source, source)}, précision « {precision} »")
            elif status == "not_found":
                self.stdout.write(f"  {count} introuvable(s) : adresse inconnue du service et de la table des communes")
            else:
                self.stdout.write(f"  {count} inchangée(s)")
