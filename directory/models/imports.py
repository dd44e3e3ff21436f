"""An admin import in progress: the uploaded files, where the background work stands, what it found.

The admin import runs as two tasks (``directory.tasks``): validation (read,
check, compute the preview in a rolled-back transaction) and, once the
coordinator confirms, the apply step. This row is what the admin page polls
between them. The files wait in the default storage under
``imports/pending/<id>/`` (never served: README, « Servir les médias ») until
the import is applied, refused or expires; ``purge_expired_imports`` removes
what is left after ``expires_at``.
"""

import uuid

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """One admin import, from upload to report; its id is the unguessable name of its folder."""

    class State(models.TextChoices):
        VALIDATING = "validating", "vérification en cours"
        INVALID = "invalid", "refusé"
        READY = "ready", "en attente de confirmation"
        APPLYING = "applying", "enregistrement en cours"
        DONE = "done", "terminé"
        FAILED = "failed", "échoué"

    class Phase(models.TextChoices):
        READING = "reading", "Lecture des fichiers"
        VALIDATING = "validating", "Vérification des lignes"
        PREVIEWING = "previewing", "Calcul des changements"
        WRITING = "writing", "Enregistrement des changements"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.VALIDATING)
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.READING)
    # kind (structures, people, skills, sectors) -> {"name": as uploaded, "path": in the default storage}
    files = models.JSONField(default=dict)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # ImportReport.as_json(): the preview while READY, the final report once DONE, the issues if INVALID.
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(
        blank=True
    )  # an unexpected failure, for the operator (the task's traceback is in its result)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "import de l’annuaire"
        verbose_name_plural = "imports de l’annuaire"

    def __str__(self):
        return f"Import {self.id} ({self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in (self.State.VALIDATING, self.State.APPLYING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
