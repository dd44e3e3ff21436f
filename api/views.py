"""The /graphql/ endpoint.

A subclass of graphene-django's view so that limits, partner keys, persisted
queries and HTTP caching can live in one place (see the GraphQL issue).
"""

from graphene_django.views import GraphQLView


class PartnerGraphQLView(GraphQLView):
    pass
