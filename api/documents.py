"""Parsed and validated GraphQL documents, kept in each worker for the next request with the same text.

A partner's site sends the same few documents again and again (the text, or its
persisted-query hash): parsing and validating the search document cost about as
much as executing it. graphql-core never changes a document while executing it,
so one parsed document, its validation errors and whether it asks for a preview
serve every later request with the same text, the same parsing limits and the
same validation rules (the rules differ between anonymous callers and partners
when introspection is off).

The store is bounded by the total length of the texts it keeps (a document is at
most GRAPHQL_MAX_QUERY_LENGTH characters); the least recently used go first. A
text that does not parse is not kept: its error is raised again each time.
"""

import threading
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from graphql import DocumentNode, GraphQLError, GraphQLSchema, Visitor, validate, visit

from .limits import parse_bounded

# Characters of document text kept per worker: some 200 typical partner documents of
# 5,000 characters, or 20 of the largest accepted (GRAPHQL_MAX_QUERY_LENGTH, 50,000).
MAX_KEPT_CHARACTERS = 1_000_000
MAX_VALIDATION_ERRORS = 20

_kept: OrderedDict = OrderedDict()
_kept_characters = 0
_lock = threading.Lock()


class PreparedDocument(NamedTuple):
    document: DocumentNode
    errors: list[GraphQLError]  # validation errors, empty when valid
    uses_preview_token: bool  # a `token` argument anywhere: a draft answer, never cacheable


def uses_preview_token(document: DocumentNode) -> bool:
    found = []

    class TokenVisitor(Visitor):
        def enter_argument(self, node, *_):
            if node.name.value == "token":
                found.append(node)

    visit(document, TokenVisitor())
    return bool(found)


def prepared_document(schema: GraphQLSchema, query: str, rules: tuple) -> PreparedDocument:
    """The document parsed, validated and looked at; a GraphQLError if it does not parse."""
    key = (
        schema,
        query,
        tuple(rules),
        settings.GRAPHQL_MAX_TOKENS,
        settings.GRAPHQL_MAX_COMMENTS,
        settings.GRAPHQL_MAX_QUERY_LENGTH,
    )
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    document = parse_bounded(query)
    errors = validate(schema, document, list(rules), max_errors=MAX_VALIDATION_ERRORS)
    prepared = PreparedDocument(document, errors, uses_preview_token(document))
    _keep(key, prepared)
    return prepared


def _keep(key, prepared) -> None:
    global _kept_characters
    size = len(key[1])
    if size > MAX_KEPT_CHARACTERS:
        return
    with _lock:
        if key in _kept:
            return
        _kept[key] = prepared
        _kept_characters += size
        while _kept_characters > MAX_KEPT_CHARACTERS:
            old_key, _ = _kept.popitem(last=False)
            _kept_characters -= len(old_key[1])
