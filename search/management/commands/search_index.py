"""``manage.py search_index rebuild|status|check|drain`` — the directory index's maintenance."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from directory.models import Structure
from lagrappe.engine_probe import safe_url
from search.database_rebuild import rebuild_database_documents
from search.drift import find_drift
from search.engine import EngineUnavailable, get_backend
from search.generation import bump_generation
from search.models import IndexOutbox, StructureSearchDocument
from search.sync import drain, next_attempt, pending


class Command(BaseCommand):
    help = (
        "Index de recherche de l’annuaire : rebuild (nouvel index versionné puis bascule de l’alias), "
        "status (moteur, version, alias, documents), check (écarts index/base), drain (file d’attente)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "status", "check", "drain"])
        parser.add_argument("--no-progress", action="store_true", help="Sans barre de progression (CI, journaux).")
        parser.add_argument(
            "--force", action="store_true", help="drain : ignorer le délai d’attente entre deux essais."
        )
        parser.add_argument(
            "--ids-only",
            action="store_true",
            help="check : comparer seulement quelles structures chaque côté contient (sans relire les contenus).",
        )

    def handle(self, action, no_progress=False, force=False, ids_only=False, **options):
        try:
            getattr(self, f"do_{action}")(progress=not no_progress, force=force, ids_only=ids_only)
        except EngineUnavailable as exc:
            raise CommandError(f"Le moteur de recherche ne répond pas : {exc}") from exc

    # ------------------------------------------------------------------ rebuild
    def do_rebuild(self, progress: bool, **_):
        started = time.monotonic()
        count = self.rebuild_database(progress)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Base de données : {count} documents en {seconds:.1f} s ({count / seconds if seconds else 0:.0f} docs/s)."
        )
        backend = get_backend()
        if backend is None:
            self.stdout.write("Pas de moteur configuré (ELASTICSEARCH_URL) : la recherche utilise la base de données.")
            return
        report = backend.rebuild(progress=progress, stdout=self.stderr)
        bump_generation()
        self.stdout.write(
            self.style.SUCCESS(
                f"{backend.name} : index {report['index']} (profil {report['profile']}) — {report['documents']} documents en "
                f"{report['seconds']:.1f} s ({report['docs_per_second']:.0f} docs/s), alias {backend.alias} basculé."
            )
        )
        phases = report["phases"]
        self.stdout.write(
            f"  index créé à {phases['create']:.1f} s (pendant la lecture), chargement {phases['load']:.1f} s, "
            f"refresh final {phases['refresh']:.1f} s, bascule {phases['swap']:.1f} s, rejeu {phases['replay']:.1f} s, "
            f"sursis de l’ancien index {phases['grace']:.1f} s"
        )

    def rebuild_database(self, progress: bool) -> int:
        """Every published structure's fallback row, streamed in chunks (``rebuild_database_documents``)."""
        bar = None
        if progress:
            bar = tqdm(
                total=Structure.objects.public().count(), unit="doc", desc="Documents (base de données)",
                file=self.stderr,
            )  # fmt: skip
        try:
            count = rebuild_database_documents(progress=bar.update if bar is not None else None)
        finally:
            if bar is not None:
                bar.close()
        bump_generation()
        return count

    # ------------------------------------------------------------------ status
    def do_status(self, **_):
        published = Structure.objects.public().count()
        documents = StructureSearchDocument.objects.count()
        queued = pending()
        self.stdout.write(f"Structures publiées : {published}")
        self.stdout.write(f"Documents de la base (recherche de secours) : {documents}")
        self.stdout.write(
            f"File d’attente d’indexation : {queued.backlog} structure(s) en attente du moteur, "
            f"{len(queued.database)} en attente de la base"
            + (
                " — résultats « dégradés » : chaque côté masque ses structures en attente jusqu’à son rattrapage"
                if not queued.settled
                else ""
            )
        )
        following = next_attempt()
        if following is not None:
            failing = IndexOutbox.objects.exclude(last_error="").order_by("-attempts").first()
            self.stdout.write(f"Prochain essai du worker : {timezone.localtime(following):%d/%m/%Y %H:%M:%S}")
            if failing is not None:
                self.stdout.write(f"Dernière erreur ({failing.attempts} essai(s)) : {failing.last_error[:300]}")
        backend = get_backend()
        if backend is None:
            self.stdout.write("Moteur : aucun (ELASTICSEARCH_URL non défini) — la base de données répond.")
            return
        info = backend.info
        self.stdout.write(f"Moteur : {info.product} {info.version} à {safe_url(backend.url)}")
        modules = "présent" if info.analysis_common else "absent"
        self.stdout.write(f"Module analysis-common : {modules} (détecté par {info.detected_by})")
        self.stdout.write(
            f"Profil d’analyse : {backend.profile.name} — {backend.profile.label} ({backend.profile_reason})"
        )
        indices = backend.current_indices()
        self.stdout.write(f"Alias : {backend.alias} -> {', '.join(indices) or 'aucun index (lancez rebuild)'}")
        built_with = backend.index_profile() if indices else None
        if built_with and built_with != backend.profile.name:
            self.stdout.write(f"Index construit avec le profil {built_with} : lancez search_index rebuild")
        if indices:
            count = backend.count()
            state = "à jour" if count == published else f"écart de {count - published:+d}"
            self.stdout.write(f"Documents dans le moteur : {count} pour {published} structures publiées ({state})")

    # ------------------------------------------------------------------ check
    def do_check(self, progress: bool, ids_only: bool, **_):
        drift = find_drift(content=not ids_only, progress=progress)
        if not drift:
            self.stdout.write(self.style.SUCCESS("Aucun écart entre l’index et la base."))
            return
        for line in drift:
            self.stdout.write(line)
        raise CommandError(f"{len(drift)} écart(s) entre l’index et la base (search_index drain ou rebuild).")

    # ------------------------------------------------------------------ drain
    def do_drain(self, force: bool, **_):
        before = IndexOutbox.objects.count()
        report = drain(force=force)
        self.stdout.write(
            f"File d’attente : {before} ligne(s) avant, {report.processed} traitée(s), {report.remaining} restante(s)."
        )
        if report.failed:
            raise CommandError(f"Le moteur a refusé ou n’a pas répondu : {report.error}")
