"""Retry due webhook deliveries (run every minute from cron or a systemd timer)."""

from django.core.management.base import BaseCommand

from api.webhooks import deliver_due


class Command(BaseCommand):
    help = "Renvoie les notifications de webhook en attente dont l’heure est venue (back-off exponentiel)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10, help="Délai d’attente par envoi, en secondes.")

    def handle(self, *args, timeout, **options):
        delivered, failing = deliver_due(timeout=timeout)
        self.stdout.write(f"{delivered} livrée(s), {failing} en échec (nouvelle tentative plus tard).")
