"""The directory's moderation workflow: « Modération de l’annuaire ».

Self-service submissions arrive as drafts and go through this workflow (one
group approval task for the Moderators group, which is given the permissions
approving requires: publishing a structure). It is created on demand — by
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
    grant_moderator_permissions()
    return workflow


MODERATOR_PERMISSIONS = [
    # Approving a task publishes the revision: the approver needs publish on structures.
    "access_admin",
    "view_structure", "add_structure", "change_structure", "publish_structure", "lock_structure", "unlock_structure",
    "view_skill", "add_skill", "change_skill", "view_skilldomain", "view_sector",
]  # fmt: skip


def grant_moderator_permissions() -> None:
    """Give the Moderators group what approving a directory submission requires (additive)."""
    from django.contrib.auth.models import Permission

    from .models import Structure

    # Wagtail creates these in a post_migrate handler only once the snippet is
    # registered (when the admin URLs load), which a bare `migrate` may not do.
    content_type = ContentType.objects.get_for_model(Structure)
    for action in ("publish", "lock", "unlock"):
        Permission.objects.get_or_create(
            content_type=content_type, codename=f"{action}_structure", defaults={"name": f"Can {action} structure"}
        )
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label__in=["directory", "wagtailadmin"], codename__in=MODERATOR_PERMISSIONS
    )
    moderators.permissions.add(*permissions)
