"""An image's ``srcSet`` and ``rendition``: a bad argument is a French error naming it, never Python's text."""

import pytest

from tests.api.conftest import make_image


@pytest.fixture
def image(db):
    return make_image("photo")


def only_error(body) -> dict:
    assert body["data"]["image"] is not None  # the rest of the image still answers
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    # No Python text, no setting name: the message is for the partner.
    for internal in ("resolve_", "positional argument", "ALLOWED_IMAGE_FILTERS", "Traceback", "Error"):
        assert internal not in error["message"]
    return error


@pytest.mark.parametrize(
    ("selection", "argument", "words"),
    [
        ("srcSet", "sizes", ["« sizes » requis", "320, 480"]),
        ("srcSet(sizes: [])", "sizes", ["« sizes » requis"]),
        ("srcSet(sizes: [320, 321])", "sizes", ["« sizes » invalide", "largeur 321", "320, 480"]),
        ("srcSet(sizes: [0])", "sizes", ["largeur 0"]),
        ('srcSet(sizes: [320], format: "gif")', "format", ["« format » invalide", "'gif'"]),
        ("rendition(width: 321) { url }", "width", ["« width » invalide", "'width-321'", "width-320"]),
        ('rendition(fill: "1x1") { url }', "fill", ["« fill » invalide", "'fill-1x1'"]),
        ("rendition { url }", "width", ["« width » requis", "width: 320"]),
    ],
)
def test_bad_image_argument_is_named_in_french(gql, image, selection, argument, words):
    status, body = gql(f"{{ image(id: {image.pk}) {{ title {selection} }} }}")
    assert status == 200
    error = only_error(body)
    assert error["extensions"]["argument"] == argument
    for word in words:
        assert word in error["message"]


def test_allowed_arguments_still_render(gql, image):
    status, body = gql(
        f"{{ image(id: {image.pk}) {{ srcSet(sizes: [320, 640]) rendition(width: 320) {{ url }} "
        f'webp: rendition(format: "webp") {{ url }} }} }}'
    )
    assert status == 200 and "errors" not in body, body
    data = body["data"]["image"]
    assert data["srcSet"].count("w, ") == 1 and ".width-320." in data["srcSet"] and ".width-640." in data["srcSet"]
    assert ".width-320." in data["rendition"]["url"] and data["webp"]["url"].endswith(".webp")
