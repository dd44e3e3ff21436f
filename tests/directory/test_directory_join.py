"""Self-service « Rejoindre l’annuaire »: draft + workflow + mail, then approval publishes it."""

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.cache import cache

from directory.models import Person, Structure
from directory.views import JOIN_RATE_LIMIT


@pytest.fixture(autouse=True)
def clear_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def submission(taxonomy):
    return {
        "name": "  Les Jardins   de la Deûle ",
        "category": "collectif",
        "summary": "Jardins partagés et compost au bord de la Deûle.",
        "description": "Association de quartier <b>engagée</b>.",
        "website": "https://jardins-deule.example",
        "email": "contact@jardins-deule.example",
        "phone": "03 20 11 22 33",
        "address": "2 quai de l’Ouest",
        "postcode": "59000",
        "city": "Lille",
        "skills": [taxonomy["skills"]["pv"].pk, taxonomy["skills"]["menuiserie"].pk],
        "contact_first_name": "Nadia",
        "contact_last_name": "Haddad",
        "contact_role": "Présidente",
        "contact_email": "nadia@jardins-deule.example",
        "contact_phone": "",
        "contact_public": "",  # no consent to appear publicly
        "accept": "on",
        "fax": "",
    }


@pytest.mark.django_db
def test_form_page_renders_in_french(client, taxonomy):
    html = client.get("/annuaire/rejoindre/").content.decode()

    assert "Rejoindre l’annuaire" in html
    assert "<summary>Énergie &amp; climat <span" in html  # skills grouped by domain
    assert "Photovoltaïque</label>" in html
    assert 'name="fax"' in html


@pytest.mark.django_db
def test_submission_becomes_a_draft_in_moderation_then_approval_publishes_it(client, submission, settings):
    settings.DIRECTORY_NOTIFICATION_EMAIL = "moderation@lagrappe.example"

    response = client.post("/annuaire/rejoindre/", submission)

    assert response.status_code == 302 and response["Location"] == "/annuaire/rejoindre/merci/"
    structure = Structure.objects.get()
    assert (structure.name, structure.slug, structure.live) == (
        "Les Jardins de la Deûle",
        "les-jardins-de-la-deule",
        False,
    )
    assert structure.latest_revision is not None
    assert structure.workflow_in_progress is True
    assert structure.current_workflow_state.workflow.name == "Modération de l’annuaire"
    assert sorted(structure.skills.values_list("slug", flat=True)) == ["menuiserie", "photovoltaique"]
    person = Person.objects.get()
    assert (person.full_name, person.public) == ("Nadia Haddad", False)
    directory_mails = [m for m in mail.outbox if m.to == ["moderation@lagrappe.example"]]
    assert len(directory_mails) == 1
    assert "Les Jardins de la Deûle" in directory_mails[0].subject
    assert f"/admin/snippets/directory/structure/edit/{structure.pk}/" in directory_mails[0].body
    # Nothing public while in moderation.
    assert client.get("/annuaire/structures/les-jardins-de-la-deule/").status_code == 404
    assert "Jardins" not in client.get("/annuaire/donnees/structures.csv").getvalue().decode()
    assert "merci" in client.get("/annuaire/rejoindre/merci/").content.decode().lower()

    moderator = User.objects.create_user("moderatrice", "mod@example.org", "x")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    task_state = structure.current_workflow_task_state
    task_state.task.specific.on_action(task_state, moderator, "approve")

    structure.refresh_from_db()
    assert structure.live is True
    assert structure.workflow_in_progress is False
    html = client.get("/annuaire/structures/les-jardins-de-la-deule/").content.decode()
    assert "Les Jardins de la Deûle" in html
    assert "Association de quartier &lt;b&gt;engagée&lt;/b&gt;." in html
    assert "Nadia" not in html  # she did not consent


@pytest.mark.django_db
def test_invalid_submission_shows_french_errors_and_saves_nothing(client, submission):
    submission.update(name="", postcode="ABC", contact_email="nadia@", accept="", summary="x" * 301)

    html = client.post("/annuaire/rejoindre/", submission).content.decode()

    assert "Champ requis." in html
    assert "Le code postal doit comporter 5 chiffres" in html
    assert "Saisissez une adresse de courriel valide." in html
    assert "Cochez cette case pour envoyer votre demande." in html
    assert "Assurez-vous que cette valeur comporte au plus 300 caractères" in html
    assert Structure.objects.count() == 0


@pytest.mark.django_db
def test_honeypot_pretends_success_and_saves_nothing(client, submission):
    submission["fax"] = "03 20 00 00 00"

    response = client.post("/annuaire/rejoindre/", submission)

    assert response.status_code == 302
    assert Structure.objects.count() == 0
    assert Person.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_rate_limit_per_address(client, submission):
    for index in range(JOIN_RATE_LIMIT):
        submission["name"] = f"Structure {index}"
        assert client.post("/annuaire/rejoindre/", submission).status_code == 302

    blocked = client.post("/annuaire/rejoindre/", {**submission, "name": "Une de trop"})
    other_address = client.post("/annuaire/rejoindre/", {**submission, "name": "Autre"}, REMOTE_ADDR="10.0.0.9")

    assert blocked.status_code == 429
    assert "Trop de demandes" in blocked.content.decode()
    assert other_address.status_code == 302
    assert Structure.objects.filter(name="Une de trop").exists() is False
    assert Structure.objects.count() == JOIN_RATE_LIMIT + 1


@pytest.mark.django_db
def test_a_submission_sends_one_french_email_linking_to_the_admin(client, submission, settings):
    settings.DIRECTORY_NOTIFICATION_EMAIL = "moderation@lagrappe.example"
    settings.WAGTAILADMIN_BASE_URL = "https://admin.lagrappe.example"
    # Superusers and moderators exist: Wagtail would e-mail each of them too.
    User.objects.create_superuser("admin", "admin@lagrappe.example", "x")
    from directory.moderation import ensure_moderation_workflow

    ensure_moderation_workflow()
    moderator = User.objects.create_user("camille", "camille@lagrappe.example", "x", first_name="Camille")
    moderator.groups.add(Group.objects.get(name="Moderators"))

    client.post("/annuaire/rejoindre/", submission, HTTP_HOST="www.lagrappe.example")

    structure = Structure.objects.get()
    assert [m.to for m in mail.outbox] == [["moderation@lagrappe.example"]]
    message = mail.outbox[0]
    assert message.subject == "[Annuaire] Nouvelle demande d’inscription : Les Jardins de la Deûle"
    assert message.body.startswith("Bonjour,\n\nLa structure « Les Jardins de la Deûle » demande à rejoindre")
    assert "Salut" not in message.body
    assert "Adresse : 2 quai de l’Ouest 59000 Lille" in message.body
    assert "Contact : Nadia Haddad, Présidente — nadia@jardins-deule.example" in message.body
    assert (
        f"Relire et valider le profil : https://admin.lagrappe.example/admin/snippets/directory/structure/edit/{structure.pk}/"
        in message.body
    )


@pytest.mark.django_db
def test_wagtail_moderation_notices_greet_in_french(make_structure, settings):
    """Submissions made in the admin keep Wagtail's notice, with a French greeting."""
    settings.WAGTAILADMIN_BASE_URL = "https://admin.lagrappe.example"
    from directory.moderation import ensure_moderation_workflow

    workflow = ensure_moderation_workflow()
    moderator = User.objects.create_user("camille", "camille@lagrappe.example", "x", first_name="Camille")
    moderator.groups.add(Group.objects.get(name="Moderators"))
    editor = User.objects.create_user("redaction", "redaction@lagrappe.example", "x")
    structure = make_structure(live=False)
    structure.save_revision(user=editor)

    workflow.start(structure, user=editor)

    notices = [m for m in mail.outbox if m.to == ["camille@lagrappe.example"]]
    assert len(notices) == 1
    assert notices[0].body.lstrip().startswith("Bonjour Camille,")
    assert "https://admin.lagrappe.example/admin/snippets/directory/structure/edit/" in notices[0].body
