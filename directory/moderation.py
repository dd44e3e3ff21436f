"""The directory's moderation workflow: « Modération de l’annuaire ».

Self-service submissions arrive as drafts and go through this workflow (one
group approval task for the Moderators group, which is given the permissions
approving requires: publishing a structure). It is created on demand — by
``load_directory_demo`` or at the first submission — rather than by a data
migration, because Wagtail's groups and task types are data an administrator
may have renamed or deleted; creating it lazily adapts to what exists.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.admin.signal_handlers import task_submission_email_notifier, workflow_submission_email_notifier
from wagtail.models import GroupApprovalTask, TaskState, Workflow, WorkflowContentType, WorkflowState, WorkflowTask
from wagtail.signals import task_submitted, workflow_submitted

from .models import Structure

WORKFLOW_NAME = "Modération de l’annuaire"
TASK_NAME = "Validation par les modérateurs de l’annuaire"
MODERATORS_GROUP = "Moderators"


@transaction.atomic
def ensure_moderation_workflow() -> Workflow:
    """Return the directory's workflow, creating it (and assigning it to Structure) if needed."""
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


class SelfServiceAwareNotifier:
    """Wagtail's « submitted for moderation » e-mail, except for self-service submissions.

    A structure sent through « Rejoindre l’annuaire » (a workflow nobody logged in
    started) is announced by ``directory.views.notify_editors`` to the directory's
    address, once; Wagtail would add one e-mail to every superuser and one to every
    moderator, near-identical. Submissions made in the admin keep Wagtail's notices.
    """

    def __init__(self, notifier):
        self.notifier = notifier

    def __call__(self, sender=None, instance=None, **kwargs):
        workflow_state = instance.workflow_state if isinstance(instance, TaskState) else instance
        if workflow_state.requested_by_id is None and workflow_state.base_content_type.model_class() is Structure:
            return False
        return self.notifier(instance=instance, **kwargs)


def connect_submission_notifiers() -> None:
    """Take Wagtail's dispatch_uids first (directory loads before wagtail.admin): its own
    ``connect`` with the same uid is then a no-op, and ours is the one that runs."""
    task_submitted.connect(
        SelfServiceAwareNotifier(task_submission_email_notifier),
        sender=TaskState,
        dispatch_uid="group_approval_task_submitted_email_notification",
        weak=False,  # the wrapper lives only in the signal
    )
    workflow_submitted.connect(
        SelfServiceAwareNotifier(workflow_submission_email_notifier),
        sender=WorkflowState,
        dispatch_uid="workflow_state_submitted_email_notification",
        weak=False,
    )
