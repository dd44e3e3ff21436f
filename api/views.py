"""The /graphql/ endpoint: grapple's schema behind partner-grade limits.

Built on graphene-django's ``GraphQLView`` and its extension points rather than a
copy of its request cycle. The guards (order allowlist, search text, search hits,
visibility) are part of the schema's resolvers (``api.field_guards``), not middleware.

- ``dispatch``: method (GET/POST), size (GRAPHQL_MAX_BODY_BYTES -> 400) and caller
  (``Authorization: Bearer <key>`` or ``X-Api-Key``: invalid/revoked -> 401, origin
  not allowed -> 403, else anonymous) before graphene-django's own dispatch; HTTP
  caching after it: successful anonymous GET queries get ``Cache-Control: public``
  and a strong ETag (SHA-256 of the body), ``If-None-Match`` -> 304.
- ``parse_body``: JSON (or ``application/graphql``), nesting bounded before decoding,
  a JSON list is a batch of at most GRAPHQL_MAX_BATCH operations; each operation is
  counted by the rate limit (over -> 429 with Retry-After).
- ``get_response``: per operation, French parameter errors, persisted queries
  (Apollo APQ), the JSON body and its status.
- ``execute_graphql_request``: bounded parsing and validation (introspection refused to
  anonymous callers when GRAPHQL_INTROSPECTION is False), both kept per worker for the
  next request with the same text (``api.documents``), depth and cost limits, then
  graphql-core's ``execute``.
- ``format_error``: a French message and an ``extensions.code``; an unexpected failure
  is logged and answered as an internal error, never with its details.
"""

import hashlib
import json
import logging

import orjson
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    specified_rules,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from .access import AccessDenied, consume, identify
from .documents import prepared_document
from .execution import ShortPathExecutionContext, is_awaitable
from .limits import check_limits
from .persisted import PersistedQueryError, resolve_persisted_query

logger = logging.getLogger(__name__)

# Python's own errors from a resolver given a bad value (« invalid literal for int() … »,
# « Page matching query does not exist. »): the client learns which field failed (the
# error's path) and a French sentence, never Python's English text.
BAD_VALUE_ERRORS = {
    TypeError: ("Valeur d’argument invalide pour ce champ.", "BAD_USER_INPUT"),
    ValueError: ("Valeur d’argument invalide pour ce champ.", "BAD_USER_INPUT"),
    ObjectDoesNotExist: ("Aucun objet ne correspond à ces arguments.", "NOT_FOUND"),
}


def _engine_errors() -> tuple[type[Exception], ...]:
    """Errors of the search engine clients (grapple's `search`/`searchQuery` on Wagtail's backend)."""
    errors: list[type[Exception]] = []
    try:
        import opensearchpy

        errors.append(opensearchpy.exceptions.OpenSearchException)
    except ImportError:  # pragma: no cover - both clients are in requirements.txt
        pass
    try:
        import elastic_transport

        errors += [elastic_transport.ApiError, elastic_transport.TransportError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


ENGINE_ERRORS = _engine_errors()


# JSON nesting a GraphQL request can need (variables are a few levels deep); deeper
# documents are refused before json.loads, whose recursion a 6 KB body can exhaust.
MAX_JSON_DEPTH = 32


def json_too_deep(text: str, bound: int = MAX_JSON_DEPTH) -> bool:
    """True when ``text`` opens more than ``bound`` nested arrays/objects (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > bound:
                return True
        elif char in "]}":
            depth -= 1
    return False


def refuse_deep_json(text: str, what: str) -> None:
    if json_too_deep(text):
        raise RequestRefused(
            400,
            f"{what} imbrique plus de {MAX_JSON_DEPTH} niveaux de listes ou d’objets JSON : simplifiez-le.",
            "JSON_TOO_DEEP",
        )


def is_anonymous(request) -> bool:
    """Neither a partner key nor an editor's session (GRAPHQL_INTROSPECTION applies to these)."""
    caller = getattr(request, "graphql_caller", None)
    if caller is not None and caller.partner_key is not None:
        return False
    return not getattr(getattr(request, "user", None), "is_authenticated", False)


class RequestRefused(HttpError):
    """A request (or one operation of a batch) refused with a status, a French message and a code."""

    def __init__(self, status: int, message: str, code: str, headers: dict | None = None):
        response = HttpResponse(status=status, content_type="application/json")
        for name, value in (headers or {}).items():
            response[name] = value
        super().__init__(response, message)
        self.status, self.message, self.code = status, message, code


def error_body(message: str, code: str, **extensions) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


def refused_from(exc: AccessDenied) -> RequestRefused:
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    return RequestRefused(exc.status, exc.message, exc.code, headers)


class PartnerGraphQLView(GraphQLView):
    """grapple's schema with limits, partner keys, persisted queries and HTTP caching."""

    cacheable = False

    def dispatch(self, request, *args, **kwargs):
        try:
            if request.method not in ("GET", "POST"):
                raise RequestRefused(
                    405, "GraphQL accepte GET et POST seulement.", "METHOD_NOT_ALLOWED", {"Allow": "GET, POST"}
                )
            self.check_size(request)
            request.graphql_caller = identify(request)
        except AccessDenied as exc:
            return self.refusal(request, refused_from(exc))
        except RequestRefused as exc:
            return self.refusal(request, exc)
        response = super().dispatch(request, *args, **kwargs)
        # graphene-django wraps its dispatch in ensure_csrf_cookie: an API answer sets no
        # cookie (the view is CSRF-exempt, and a shared cache must not store one).
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        if response.get("Content-Type", "").startswith("text/html"):  # GraphiQL (DEBUG only)
            return response
        return self.apply_caching(request, response)

    def refusal(self, request, exc: "RequestRefused") -> HttpResponse:
        response = exc.response
        response.content = self.json_encode(request, {"errors": [self.format_error(exc)]})
        response["Cache-Control"] = "no-store"
        return response

    # -- graphene-django extension points ------------------------------------

    def parse_body(self, request):
        data = self.read_body(request)
        try:
            consume(request.graphql_caller, len(data) if self.batch else 1)
        except AccessDenied as exc:
            raise refused_from(exc) from exc
        return data

    def get_response(self, request, data, show_graphiql=False):
        try:
            body, status, cacheable = self.run_operation(request, data, show_graphiql)
        except RequestRefused as exc:
            body, status, cacheable = error_body(exc.message, exc.code), exc.status, False
        if body is None:  # GraphiQL without a query
            return None, status
        self.cacheable = cacheable and not self.batch
        return self.json_encode(request, body), status

    def json_encode(self, request, d, pretty=False):
        try:
            # The same bytes as json.dumps below for what GraphQL answers (texts, finite numbers,
            # booleans, null), some ten times faster on a search page.
            return orjson.dumps(d).decode()
        except TypeError:  # an integer beyond 64 bits (an error's cost), a value orjson refuses
            return json.dumps(d, separators=(",", ":"), ensure_ascii=False)

    def get_validation_rules(self, request) -> list:
        rules = list(specified_rules)
        if not settings.GRAPHQL_INTROSPECTION and is_anonymous(request):
            rules.append(NoSchemaIntrospectionCustomRule)
        return rules

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        schema = self.schema.graphql_schema
        try:
            document, errors, previews = prepared_document(schema, query, tuple(self.get_validation_rules(request)))
        except GraphQLError as exc:
            return ExecutionResult(errors=[exc])
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return ExecutionResult(
                errors=[
                    GraphQLError(
                        "Opération introuvable : donnez « operationName » quand le document en contient plusieurs."
                    )
                ]
            )
        if request.method == "GET" and operation.operation != OperationType.QUERY:
            raise RequestRefused(405, f"Une opération {operation.operation.value} demande POST.", "METHOD_NOT_ALLOWED")
        errors = errors or check_limits(schema, document, operation, variables)
        if errors:
            return ExecutionResult(errors=errors)
        request.graphql_operation = (operation, previews)
        return execute(
            schema,
            document,
            root_value=self.get_root_value(request),
            context_value=self.get_context(request),
            variable_values=variables,
            operation_name=operation_name,
            middleware=self.get_middleware(request),
            execution_context_class=ShortPathExecutionContext,
            is_awaitable=is_awaitable,
        )

    @staticmethod
    def format_error(error):
        if isinstance(error, RequestRefused):
            return {"message": error.message, "extensions": {"code": error.code}}
        if isinstance(error, GraphQLError):
            return PartnerGraphQLView.format_execution_error(error)
        logger.error("GraphQL request failed", exc_info=error)
        return {"message": "Erreur interne du serveur.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}

    # -- steps ---------------------------------------------------------------

    def check_size(self, request):
        max_bytes = settings.GRAPHQL_MAX_BODY_BYTES
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        size = max(declared, len(request.META.get("QUERY_STRING", "")))
        if size <= max_bytes and request.method == "POST":
            size = len(request.body)
        if size > max_bytes:
            raise RequestRefused(
                400, f"Requête trop volumineuse : {size} octets, au plus {max_bytes}.", "PAYLOAD_TOO_LARGE"
            )

    def read_body(self, request):
        """One operation (a dict) or a batch (a list, ``self.batch`` set); French 400s otherwise."""
        self.batch = False
        if request.method == "GET":
            return {key: request.GET.get(key) for key in ("query", "variables", "operationName", "extensions")}
        content_type = self.get_content_type(request)
        if content_type == "application/graphql":
            return {"query": request.body.decode("utf-8", "replace")}
        if content_type != "application/json":
            raise RequestRefused(400, "Envoyez la requête en JSON (Content-Type: application/json).", "BAD_REQUEST")
        try:
            text = request.body.decode("utf-8")
            refuse_deep_json(text, "Le corps de la requête")
            data = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            raise RequestRefused(400, "Le corps de la requête n’est pas du JSON valide.", "BAD_REQUEST") from None
        if isinstance(data, dict):
            return data
        if isinstance(data, list):
            max_batch = settings.GRAPHQL_MAX_BATCH
            if not data or len(data) > max_batch:
                raise RequestRefused(
                    400, f"Lot de {len(data)} opérations : de 1 à {max_batch} par requête.", "BATCH_TOO_LARGE"
                )
            if not all(isinstance(item, dict) for item in data):
                raise RequestRefused(400, "Chaque opération du lot doit être un objet JSON.", "BAD_REQUEST")
            self.batch = True
            return data
        raise RequestRefused(400, "Le corps doit être un objet JSON (ou une liste d’objets).", "BAD_REQUEST")

    @staticmethod
    def _json_param(value, name):
        if value is None or value == "":
            return None
        if isinstance(value, str):
            refuse_deep_json(value, f"Le paramètre « {name} »")
            try:
                value = json.loads(value)
            except ValueError:
                raise RequestRefused(400, f"Le paramètre « {name} » n’est pas du JSON valide.", "BAD_REQUEST") from None
        if not isinstance(value, dict):
            raise RequestRefused(400, f"Le paramètre « {name} » doit être un objet JSON.", "BAD_REQUEST")
        return value

    def run_operation(self, request, data: dict, show_graphiql=False) -> tuple[dict | None, int, bool]:
        """(body, status, cacheable) of one operation."""
        variables = self._json_param(data.get("variables"), "variables")
        extensions = self._json_param(data.get("extensions"), "extensions")
        operation_name = data.get("operationName") or None
        try:
            query = resolve_persisted_query(data.get("query"), extensions)
        except PersistedQueryError as exc:
            # Apollo's links look for this message/code (with a 200) and resend with the query.
            return error_body(exc.message, exc.code), 200, False
        if not query:
            if show_graphiql:
                return None, 200, False
            raise RequestRefused(400, "Requête GraphQL absente (paramètre « query »).", "BAD_REQUEST")

        request.graphql_operation = None
        result = self.execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        body, status = {}, 200
        if result.errors:
            body["errors"] = [self.format_error(e) for e in result.errors]
            if any(not e.path for e in result.errors):
                status = 400
        if status == 200:
            body["data"] = result.data
        operation, previews = request.graphql_operation or (None, None)
        cacheable = (
            operation is not None
            and not result.errors
            and operation.operation == OperationType.QUERY
            and not getattr(getattr(request, "user", None), "is_authenticated", False)
            and not previews
        )
        return body, status, cacheable

    @staticmethod
    def format_execution_error(error: GraphQLError) -> dict:
        original = getattr(error, "original_error", None)
        if original is not None and isinstance(original, ENGINE_ERRORS):
            # Engine down or index missing: say so (the client may retry), keep the details in the log.
            logger.error("Search engine failed under a GraphQL search", exc_info=original)
            return GraphQLError(
                "La recherche est momentanément indisponible : réessayez dans quelques instants.",
                error.nodes,
                error.source,
                error.positions,
                error.path,
                extensions={"code": "SEARCH_UNAVAILABLE"},
            ).formatted
        if original is not None and isinstance(original, tuple(BAD_VALUE_ERRORS)):
            logger.info("GraphQL resolver refused a value: %r", original)
            message, code = next(v for k, v in BAD_VALUE_ERRORS.items() if isinstance(original, k))
            return GraphQLError(
                message, error.nodes, error.source, error.positions, error.path, extensions={"code": code}
            ).formatted
        # Our own GraphQLErrors (and graphql-core's validation, which names the argument) pass as they are.
        if original is not None and not isinstance(original, GraphQLError):
            # An unexpected failure: log it, don't hand internals to the client.
            logger.error("GraphQL resolver failed", exc_info=original)
            formatted = GraphQLError(
                "Erreur interne du serveur.",
                error.nodes,
                error.source,
                error.positions,
                error.path,
                extensions={"code": "INTERNAL_SERVER_ERROR"},
            ).formatted
            return formatted
        return error.formatted

    def apply_caching(self, request, response):
        body = response.content
        cacheable = request.method == "GET" and self.cacheable and response.status_code == 200
        if not cacheable:
            response["Cache-Control"] = "no-store"
            return response
        etag = '"' + hashlib.sha256(body).hexdigest() + '"'
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={settings.GRAPHQL_CACHE_MAX_AGE}"
        response["Vary"] = "Origin"
        candidates = [tag.strip() for tag in request.META.get("HTTP_IF_NONE_MATCH", "").split(",") if tag.strip()]
        if etag in candidates or "*" in candidates:
            not_modified = HttpResponse(status=304)
            for header in ("ETag", "Cache-Control", "Vary"):
                not_modified[header] = response[header]
            return not_modified
        return response
