"""The site speaks French to every visitor, whatever the browser asks; editors keep their admin language."""

import re

import pytest
from django.contrib.auth.models import User
from wagtail.users.models import UserProfile

pytestmark = pytest.mark.django_db


def test_an_english_browser_gets_french_form_errors(client, tree):
    # Given a visitor whose browser prefers English, when the application form has a bad
    # address and a choice it does not offer (messages Django writes, not the project)
    data = {"nom_et_prenom": "Alex", "adresse_e_mail": "pas-une-adresse", "type_de_projet": "autre"}
    response = client.post(tree.form.url, data, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    # Then the errors are Django's French ones, in a French page
    html = response.content.decode()
    errors = re.findall(r'class="form__error"[^>]*>([^<]*)<', html)
    assert response.status_code == 200
    assert errors == [
        "Saisissez une adresse de courriel valide.",
        "Sélectionnez un choix valide. autre n’en fait pas partie.",
    ]
    assert re.search(r'<html[^>]* lang="fr"', html)


@pytest.mark.parametrize(
    ("preference", "expected"),
    [("", "fr"), ("en", "en")],
    ids=["no preference: French, not the browser's English", "English chosen in the account"],
)
def test_the_admin_follows_the_editors_own_language_setting(client, db, preference, expected):
    user = User.objects.create_superuser("coordinatrice", "coord@example.org", "x")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = preference
    profile.save()
    client.force_login(user)

    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert re.search(rf'<html[^>]* lang="{expected}"', html)
