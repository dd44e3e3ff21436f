"""manage.py export_directory --format csv|xlsx --out DIR"""

from django.core.management.base import BaseCommand

from directory.exporting import export_directory


class Command(BaseCommand):
    help = (
        "Exporte l’annuaire complet (brouillons et personnes non publiques compris : usage interne) dans les "
        "colonnes de l’import : structures, people, skills, sectors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="csv (défaut) ou xlsx.")
        parser.add_argument("--out", required=True, help="Dossier de destination (créé au besoin).")

    def handle(self, *args, format, out, **options):
        for kind, (path, count) in export_directory(format, out).items():
            self.stdout.write(f"{path} : {count} lignes ({kind})")
        self.stdout.write(self.style.SUCCESS("Export terminé."))
