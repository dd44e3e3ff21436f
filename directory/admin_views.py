"""Admin views of the directory: import (upload, preview, confirm) and export (CSV/XLSX download).

Both need the ``directory.import_export_structure`` permission (superusers have it):
the export holds non-public people, and an import can rewrite the whole directory.

Uploaded files wait between the preview and the confirmation in a private
temporary directory (never under MEDIA_ROOT, which the web server serves),
named by a random token kept in the user's session.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from .columns import FILES
from .exporting import export_zip
from .importing import ImportFailed, import_directory

PERMISSION = "directory.import_export_structure"
UPLOAD_ROOT = Path(tempfile.gettempdir()) / "lagrappe-directory-imports"
SESSION_KEY = "directory_import_token"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
KINDS = ("structures", "people", "skills", "sectors")


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


def _stored(token: str) -> dict[str, Path]:
    folder = UPLOAD_ROOT / token
    found = {}
    for kind in KINDS:
        for candidate in folder.glob(f"{kind}--*"):
            found[kind] = candidate
    return found


def _sources(stored: dict[str, Path]) -> dict:
    # Reports name the file the coordinator uploaded, not our storage name.
    return {kind: (p.name.split("--", 1)[1], p.read_bytes()) for kind, p in stored.items()}


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
        token = secrets.token_urlsafe(16)
        folder = UPLOAD_ROOT / token
        folder.mkdir(parents=True, mode=0o700)
        for kind in KINDS:
            upload = form.cleaned_data.get(kind)
            if upload:
                with (folder / f"{kind}--{Path(upload.name).name}").open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
        previous = self.request.session.get(SESSION_KEY)
        if previous:
            shutil.rmtree(UPLOAD_ROOT / previous, ignore_errors=True)
        self.request.session[SESSION_KEY] = token
        try:
            report = import_directory(**_sources(_stored(token)), dry_run=True, user=self.request.user)
        except ImportFailed as failure:
            shutil.rmtree(folder, ignore_errors=True)
            del self.request.session[SESSION_KEY]
            return self.render_to_response(self.get_context_data(form=form, failed=failure.report))
        return self.render_to_response(self.get_context_data(form=form, preview=report))


class ImportConfirmView(PermissionRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Import de l’annuaire"
    header_icon = "upload"
    template_name = "directory/admin/import_done.html"

    def post(self, request):
        token = request.session.pop(SESSION_KEY, None)
        if not token or token != request.POST.get("token") or not _stored(token):
            messages.error(request, "Aucun import en attente : déposez à nouveau les fichiers.")
            return redirect("directory_transfer:import")
        try:
            report = import_directory(**_sources(_stored(token)), user=request.user)
        except ImportFailed as failure:  # the directory changed between preview and confirmation
            return self.render_to_response(self.get_context_data(failed=failure.report))
        finally:
            shutil.rmtree(UPLOAD_ROOT / token, ignore_errors=True)
        return self.render_to_response(self.get_context_data(report=report))


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
            path("confirmer/", ImportConfirmView.as_view(), name="import_confirm"),
            path("export/", ExportView.as_view(), name="export"),
        ]

    @property
    def menu_url(self):
        return reverse("directory_transfer:import")
