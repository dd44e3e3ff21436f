"""The directory's moderation workflow: « Modération de l’annuaire ».

Self-service submissions arrive as drafts and go through this workflow (one
group approval task for the Moderators group). It is created on demand — by
``load_directory_demo`` or at the first submission — rather than by a data
migration, because Wagtail's groups and task types are data an administrator
may have renamed or deleted; creating it lazily adapts to what exists.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import GroupApprovalTask, Workflow, WorkflowContentType, WorkflowTask

WORKFLOW_NAME = "Modération de l’annuaire"
TASK_NAME = "Validation par les modérateurs de l’annuaire"
MODERATORS_GROUP = "Moderators"


@transaction.atomic
def ensure_moderation_workflow() -> Workflow:
    """Return the directory's workflow, creating it (and assigning it to Structure) if needed."""
    from .models import Structure

    content_type = ContentType.objects.get_for_model(Structure)
    assigned = WorkflowContentType.objects.filter(content_type=content_type).select_related("workflow").first()
    if assigned is not None and assigned.workflow.active:
        return assigned.workflow

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    if not workflow.workflow_tasks.exists():
        task, created = GroupApprovalTask.objects.get_or_create(name=TASK_NAME)
        if created or not task.groups.exists():
            moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
            task.groups.add(moderators)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowContentType.objects.update_or_create(content_type=content_type, defaults={"workflow": workflow})
    return workflow
