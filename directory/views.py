"""Public directory pages: structure profiles, the self-service form and open data."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify

from directory.forms import JoinDirectoryForm
from directory.models import Person, Structure
from directory.moderation import WORKFLOW_NAME, ensure_moderation_workflow
from directory.profile import profile_context
from lagrappe.client_ip import client_bucket
from lagrappe.ratelimit import Throttle


def structure_detail(request, slug):
    """Public profile of a published structure (drafts answer 404)."""
    structure = get_object_or_404(Structure.objects.public().with_related(), slug=slug)
    return render(
        request, "directory/structure_detail.html", profile_context(request, structure, structure.get_public_people())
    )


# ---------------------------------------------------------------------------
# Self-service: « Rejoindre l’annuaire »
# ---------------------------------------------------------------------------
JOIN_RATE_LIMIT = 5  # submissions per client address and window
JOIN_RATE_WINDOW = 3600  # seconds
JOIN_THROTTLE = Throttle("directory-join", JOIN_RATE_LIMIT, JOIN_RATE_WINDOW)


def _rate_limited(request) -> bool:
    """Count this submission for the client's address; True once over the limit."""
    return not JOIN_THROTTLE.hit(client_bucket(request)).allowed


def _unique_slug(name: str) -> str:
    base = slugify(name)[:180] or "structure"
    slug, n = base, 2
    while Structure.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def submit_structure(data: dict):
    """Create the submitted structure as a draft with a revision, and start its moderation."""
    structure = Structure(
        slug=_unique_slug(data["name"]),
        live=False,
        has_unpublished_changes=True,
        **{
            k: data[k]
            for k in (
                "name",
                "category",
                "summary",
                "description",
                "website",
                "email",
                "phone",
                "address",
                "postcode",
                "city",
            )
        },  # fmt: skip
    )
    structure.skills.set(data["skills"])
    structure.sectors.set(data.get("sectors") or [])
    structure.people.add(
        Person(
            first_name=data["contact_first_name"],
            last_name=data["contact_last_name"],
            role=data["contact_role"],
            email=data["contact_email"],
            phone=data["contact_phone"],
            public=data["contact_public"],
        )
    )
    structure.save()
    structure.save_revision(clean=False, log_action=True)
    workflow = ensure_moderation_workflow()
    workflow.start(structure, user=None)
    return structure


def notify_editors(request, structure) -> None:
    """The one e-mail a submission sends (Wagtail's own submission notices are skipped for it).

    The link is built on WAGTAILADMIN_BASE_URL, not on the visitor's request: behind a
    proxy or on the public host, the request's host is not where editors log in.
    """
    context = {
        "structure": structure,
        "contact": structure.people.first(),
        "address": " ".join(" ".join(p for p in (structure.address, structure.postcode, structure.city) if p).split()),
        "edit_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("wagtailsnippets_directory_structure:edit", args=[structure.pk]),
        "workflow_name": WORKFLOW_NAME,
    }
    send_mail(
        subject=" ".join(render_to_string("directory/emails/submission_subject.txt", context).split()),
        message=render_to_string("directory/emails/submission.txt", context),
        from_email=None,
        recipient_list=[settings.DIRECTORY_NOTIFICATION_EMAIL],
        fail_silently=True,  # the submission is saved and in the workflow whatever the mail server says
    )


def join_directory(request):
    if request.method == "POST":
        if _rate_limited(request):
            response = render(request, "directory/join.html", {"form": JoinDirectoryForm(), "rate_limited": True})
            response.status_code = 429
            return response
        form = JoinDirectoryForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["fax"]:
                # A robot: answer as if all went well, keep nothing.
                return redirect("directory_join_done")
            structure = submit_structure(form.cleaned_data)
            notify_editors(request, structure)
            return redirect("directory_join_done")
    else:
        form = JoinDirectoryForm()
    return render(request, "directory/join.html", {"form": form})


def join_directory_done(request):
    return render(request, "directory/join_done.html")
