"""Admin views of the directory: import (upload, preview, confirm) and export (CSV/XLSX download).

Both need the ``directory.import_export_structure`` permission (superusers have it):
the export holds non-public people, and an import can rewrite the whole directory.

An import is an ``ImportJob`` run by two background tasks (``directory.tasks``):
the upload stores the files in the default storage (``imports/pending/<job>/``,
which the proxy never serves: README, « Servir les médias ») and enqueues the
validation; the job page shows a progress bar (polling a small JSON endpoint,
or refreshing itself without JavaScript), then the preview and « Confirmer
l’import », which enqueues the apply task, then the report. A job is its
uploader's only, and expires (``DIRECTORY_IMPORT_EXPIRY_HOURS``).
"""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from .columns import FILES
from .exporting import export_zip
from .importing import ImportReport, jobs
from .models import ImportJob
from .tasks import apply_import, validate_import

PERMISSION = "directory.import_export_structure"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
KINDS = jobs.KINDS
REFRESH_SECONDS = 2  # the job page without JavaScript reloads itself this often while a task runs


def user_can_transfer(user) -> bool:
    return user.is_active and user.has_perm(PERMISSION)


class PermissionRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not user_can_transfer(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportForm(forms.Form):
    structures = forms.FileField(label="Structures", required=False, help_text="structures.csv ou .xlsx")
    people = forms.FileField(label="Personnes contacts", required=False, help_text="people.csv ou .xlsx")
    skills = forms.FileField(label="Compétences", required=False, help_text="skills.csv ou .xlsx")
    sectors = forms.FileField(label="Secteurs", required=False, help_text="sectors.csv ou .xlsx")

    def clean(self):
        data = super().clean()
        files = [data.get(kind) for kind in KINDS if data.get(kind)]
        if not files:
            raise forms.ValidationError("Choisissez au moins un fichier.")
        for kind in KINDS:
            upload = data.get(kind)
            if upload and upload.size > MAX_UPLOAD_BYTES:
                self.add_error(kind, f"Fichier trop volumineux ({upload.size // 1024 // 1024} Mo, 20 Mo au plus).")
            elif upload and not upload.name.lower().endswith((".csv", ".xlsx")):
                self.add_error(
                    kind,
                    "Format non reconnu : un fichier .csv (virgules ou points-virgules, UTF-8 ou Windows-1252) ou .xlsx est attendu.",
                )
        return data


class ImportView(PermissionRequiredMixin, WagtailAdminTemplateMixin, FormView):
    page_title = "Importer l’annuaire"
    header_icon = "upload"
    template_name = "directory/admin/import.html"
    form_class = ImportForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = {FILES[kind][2]: ",".join(FILES[kind][0]) for kind in KINDS}
        return context

    def form_valid(self, form):
        job = jobs.create_job(self.request.user, form.cleaned_data)
        # The immediate backend (``make run``, tests) validates here; the database backend hands it to the worker.
        validate_import.enqueue(str(job.pk))
        return redirect("directory_transfer:import_job", pk=job.pk)


class ImportJobMixin(PermissionRequiredMixin):
    """The job named in the URL, if it is the requesting user's and has not expired."""

    def get_job(self) -> ImportJob | None:
        return ImportJob.objects.filter(
            pk=self.kwargs["pk"], user=self.request.user, expires_at__gte=timezone.now()
        ).first()

    def gone(self):
        messages.error(self.request, "Cet import n’existe pas ou a expiré : déposez à nouveau les fichiers.")
        return redirect("directory_transfer:import")


def job_status(job: ImportJob) -> dict:
    """What the progress bar shows, as the status endpoint sends it (French text for the page)."""
    if job.running and not job.rows_total:
        text = "Lecture des fichiers…"
    elif job.running:
        text = f"{job.get_phase_display()} : {job.rows_done:,} / {job.rows_total:,} lignes".replace(",", "\u202f")
    else:
        text = f"Import {job.get_state_display()}."
    return {
        "state": job.state,
        "running": job.running,
        "phase": job.phase,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "text": text,
    }


class ImportJobView(ImportJobMixin, WagtailAdminTemplateMixin, TemplateView):
    """One import: its progress while a task runs, then its preview (to confirm), its errors or its report."""

    page_title = "Import de l’annuaire"
    header_icon = "upload"
    template_name = "directory/admin/import_job.html"

    def get(self, request, *args, **kwargs):
        self.job = self.get_job()
        if self.job is None:
            return self.gone()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        report = ImportReport.from_json(job.report) if job.report else None
        context.update(job=job, status=job_status(job), refresh_seconds=REFRESH_SECONDS)
        if job.state == ImportJob.State.READY:
            context["preview"] = report
        elif job.state == ImportJob.State.INVALID:
            context["failed"] = report
        elif job.state == ImportJob.State.DONE:
            context["report"] = report
        return context


class ImportJobStatusView(ImportJobMixin, View):
    """The progress bar's JSON, polled by the job page."""

    def get(self, request, *args, **kwargs):
        job = self.get_job()
        if job is None:
            return JsonResponse({"error": "Cet import n’existe pas ou a expiré."}, status=404)
        return JsonResponse(job_status(job))


class ImportConfirmView(ImportJobMixin, View):
    """« Confirmer l’import »: the apply task writes it; the page follows its progress."""

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        if job is None:
            return self.gone()
        if not jobs.claim_for_apply(job):
            messages.error(request, "Cet import n’attend pas de confirmation (déjà confirmé, refusé ou terminé).")
        else:
            apply_import.enqueue(str(job.pk))
        return redirect("directory_transfer:import_job", pk=job.pk)


class ImportCancelView(ImportJobMixin, View):
    """« Annuler »: the files leave the storage at once rather than at expiry."""

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        if job is not None and job.state == ImportJob.State.READY:
            jobs.delete_files(job)
            job.delete()
            messages.success(request, "Import annulé : rien n’a été enregistré.")
        return redirect("directory_transfer:import")


class ExportView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Exporter l’annuaire"
    header_icon = "download"
    template_name = "directory/admin/export.html"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            archive = tempfile.TemporaryFile()  # on disk, not in memory; FileResponse closes (deletes) it
            export_zip(fmt, archive)
            archive.seek(0)
            stamp = timezone.localtime().strftime("%Y-%m-%d")
            return FileResponse(
                archive, as_attachment=True, filename=f"annuaire-{stamp}-{fmt}.zip", content_type="application/zip"
            )
        return super().get(request, *args, **kwargs)


class TransferMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_transfer(request.user)


class DirectoryTransferViewSet(ViewSet):
    """Import and export pages, shown in the « Annuaire » menu group."""

    name = "directory_transfer"
    url_prefix = "annuaire/transfert"
    icon = "upload"
    menu_label = "Import / export"
    menu_item_class = TransferMenuItem

    def get_urlpatterns(self):
        return [
            path("", ImportView.as_view(), name="import"),
            path("<uuid:pk>/", ImportJobView.as_view(), name="import_job"),
            path("<uuid:pk>/etat/", ImportJobStatusView.as_view(), name="import_status"),
            path("<uuid:pk>/confirmer/", ImportConfirmView.as_view(), name="import_confirm"),
            path("<uuid:pk>/annuler/", ImportCancelView.as_view(), name="import_cancel"),
            path("export/", ExportView.as_view(), name="export"),
        ]

    @property
    def menu_url(self):
        return reverse("directory_transfer:import")
