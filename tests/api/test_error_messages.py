"""A resolver's Python error reaches the client as a French sentence, never as Python's text."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["page", "image", "document"])
def test_a_value_python_refuses_is_answered_in_french_without_its_text(gql, field):
    # Given an id the resolver cannot turn into a number (Python: « invalid literal for int() … »)
    status, body = gql(f'{{ {field}(id: "abc") {{ title }} }}')

    # Then the client learns which field failed, in French, and nothing of Python's message
    [error] = body["errors"]
    assert status == 200
    assert body["data"] == {field: None}
    assert error["path"] == [field]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["message"] == "Valeur d’argument invalide pour ce champ."


@pytest.mark.django_db
def test_graphql_validation_still_names_the_argument(gql):
    status, body = gql("{ page(id: 1, colour: 2) { title } }")

    [error] = body["errors"]
    assert status == 400
    assert "colour" in error["message"]
