"""manage.py import_directory --structures F.csv [--people F.csv] [--skills F.csv] [--sectors F.csv] [--dry-run]"""

from django.core.management.base import BaseCommand, CommandError

from directory.importing import ImportFailed, import_directory


class Command(BaseCommand):
    help = (
        "Importe l’annuaire depuis les tableurs du cluster (CSV UTF-8 ou Windows-1252, virgules ou "
        "points-virgules ; ou XLSX). Tout ou rien : la moindre ligne "
        "invalide annule l’import et chaque erreur est listée (fichier, ligne, colonne, raison)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--structures", help="Fichier des structures.")
        parser.add_argument("--people", help="Fichier des personnes contacts.")
        parser.add_argument("--skills", help="Fichier des compétences.")
        parser.add_argument("--sectors", help="Fichier des secteurs.")
        parser.add_argument("--dry-run", action="store_true", help="Valide et compte sans rien enregistrer.")

    def handle(self, *args, structures, people, skills, sectors, dry_run, **options):
        if not any((structures, people, skills, sectors)):
            raise CommandError("Indiquez au moins un fichier : --structures, --people, --skills ou --sectors.")
        try:
            report = import_directory(
                structures=structures, people=people, skills=skills, sectors=sectors, dry_run=dry_run
            )
        except ImportFailed as failure:
            for issue in failure.report.issues:
                self.stderr.write(str(issue))
            raise CommandError(str(failure)) from None
        for line in report.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n’a été enregistré."))
        else:
            self.stdout.write(self.style.SUCCESS("Import terminé."))
