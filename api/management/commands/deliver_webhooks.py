"""Send due webhook deliveries now, in this process (the worker does it on its own)."""

from django.core.management.base import BaseCommand

from api.webhooks import deliver_due


class Command(BaseCommand):
    help = (
        "Envoie tout de suite les notifications de webhook dont l’heure est venue. "
        "Le worker (manage.py db_worker) le fait de lui-même : cette commande sert au dépannage."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10, help="Délai d’attente par envoi, en secondes.")

    def handle(self, *args, timeout, **options):
        delivered, failing = deliver_due(timeout=timeout)
        self.stdout.write(f"{delivered} livrée(s), {failing} en échec (nouvelle tentative plus tard).")
