"""« Travaux en arrière-plan »: what the worker has queued, is running, has finished or failed.

Reads django-tasks-db's result rows (the production backend). Seeing the list
needs ``django_tasks_database.view_dbtaskresult``, retrying a failed task
``django_tasks_database.change_dbtaskresult`` (superusers have both). A retry
enqueues the same task with the same arguments through the public Tasks API;
the failed row stays as history.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

VIEW_PERMISSION = "django_tasks_database.view_dbtaskresult"
RETRY_PERMISSION = "django_tasks_database.change_dbtaskresult"
PER_PAGE = 50

# Status tabs, in the order an operator looks at them.
STATUSES = [
    ("FAILED", "Échouées"),
    ("READY", "En attente"),
    ("RUNNING", "En cours"),
    ("SUCCESSFUL", "Terminées"),
]
STATUS_LABELS = dict(STATUSES)
EMPTY_MESSAGES = {
    "FAILED": "Aucune tâche en échec.",
    "READY": "Aucune tâche en attente.",
    "RUNNING": "Aucune tâche en cours.",
    "SUCCESSFUL": "Aucune tâche terminée.",
}


def database_backend_in_use() -> bool:
    return settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def user_can_view(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def task_label(result) -> str:
    """The task's own description (first line of its docstring, in French), or its name."""
    try:
        doc = (result.task.func.__doc__ or "").strip()
    except Exception:  # noqa: BLE001 — a task whose code was removed still lists
        doc = ""
    return doc.splitlines()[0].rstrip(".") if doc else result.task_name


def error_summary(result) -> str:
    lines = [line for line in (result.traceback or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else result.exception_class_path


class BackgroundTasksView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Travaux en arrière-plan"
    header_icon = "resubmit"
    template_name = "background/admin/tasks.html"

    def dispatch(self, request, *args, **kwargs):
        if not user_can_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["database_backend"] = database_backend_in_use()
        context["backend"] = settings.TASKS["default"]["BACKEND"]
        if not context["database_backend"]:
            return context
        from django_tasks_db.models import DBTaskResult

        status = self.request.GET.get("etat", "FAILED")
        if status not in STATUS_LABELS:
            status = "FAILED"
        counts = {s: DBTaskResult.objects.filter(status=s).count() for s in STATUS_LABELS}
        rows = DBTaskResult.objects.filter(status=status).order_by(
            "-finished_at" if status in ("FAILED", "SUCCESSFUL") else "run_after", "-enqueued_at"
        )
        page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("p"))
        for result in page.object_list:
            result.label = task_label(result)
            result.error = error_summary(result) if status == "FAILED" else ""
            result.scheduled = result.run_after.year < 9999 and result.run_after
        context.update(
            status=status,
            empty_message=EMPTY_MESSAGES[status],
            tabs=[(s, label, counts[s]) for s, label in STATUSES],
            page=page,
            can_retry=self.request.user.has_perm(RETRY_PERMISSION),
        )
        return context


class RetryTaskView(View):
    def post(self, request, pk):
        if not (user_can_view(request.user) and request.user.has_perm(RETRY_PERMISSION)):
            raise PermissionDenied
        if not database_backend_in_use():
            raise PermissionDenied
        from django_tasks_db.models import DBTaskResult

        failed = get_object_or_404(DBTaskResult, pk=pk, status="FAILED")
        try:
            task = failed.task
        except ImportError:
            messages.error(request, f"La tâche « {failed.task_path} » n’existe plus : elle ne peut pas être relancée.")
            return redirect(reverse("background_tasks") + "?etat=FAILED")
        task.using(run_after=None).enqueue(*failed.args_kwargs["args"], **failed.args_kwargs["kwargs"])
        messages.success(request, f"« {task_label(failed)} » relancée : elle est en attente du worker.")
        return redirect(reverse("background_tasks") + "?etat=FAILED")
