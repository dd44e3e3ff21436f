"""The database backend: search on SQLite or PostgreSQL alone, no engine needed.

It answers when no engine is configured, and whenever the configured engine
does not (``search.service``). Each database vendor gets the implementation
that uses its own full-text machinery; ``portable`` (LIKE over the analysed
words of ``StructureSearchDocument``) answers on any other database. Every
implementation keeps the same contract (``tests/search``): same matching,
filters, facets, sorting and hits as the engine, from the same analysis
(``search.text``).
"""

from django.db import connection

from . import portable, postgres, sqlite

# connection.vendor -> module; a vendor not listed gets ``portable``.
IMPLEMENTATIONS = {"postgresql": postgres, "sqlite": sqlite}


def implementation():
    """The module answering for the default database's vendor."""
    return IMPLEMENTATIONS.get(connection.vendor, portable)


def search(query):
    """Answer a validated ``SearchQuery`` from the database."""
    return implementation().search(query)


def suggest(prefix: str, limit: int, hidden_ids=()):
    """Skill and structure names whose words start with the typed words."""
    return implementation().suggest(prefix, limit, hidden_ids=hidden_ids)
