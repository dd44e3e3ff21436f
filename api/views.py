"""The /graphql/ endpoint: grapple's schema behind partner-grade limits.

One request goes through, in order:
1. size: body (or query string) over GRAPHQL_MAX_BODY_BYTES -> 400;
2. caller: `Authorization: Bearer <key>` or `X-Api-Key` (invalid/revoked -> 401,
   origin outside the key's list -> 403), else anonymous by IP;
3. batching: a JSON list of at most GRAPHQL_MAX_BATCH operations;
4. rate limit: each operation counts (over -> 429 with Retry-After);
5. per operation: persisted query (Apollo APQ), bounded parsing, validation
   (introspection refused when GRAPHQL_INTROSPECTION is False), depth and cost
   limits, execution with the `order` allowlist middleware;
6. HTTP caching: successful anonymous GET queries get `Cache-Control: public`
   and a strong ETag (SHA-256 of the body); `If-None-Match` -> 304.
Errors are GraphQL errors (`{"errors": [...]}`) with a French message and an
`extensions.code`; a bad request never becomes an HTTP 500.
"""

import hashlib
import json
import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from graphene_django.views import GraphQLView
from graphql import (
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from .access import AccessDenied, consume, identify
from .limits import check_limits, limit, parse_bounded
from .persisted import PersistedQueryError, resolve_persisted_query

logger = logging.getLogger(__name__)

# Exceptions whose message is meant for the client (argument and filter errors).
CLIENT_FACING_ERRORS = (GraphQLError, TypeError, ValueError, ObjectDoesNotExist)


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


class RequestRefused(Exception):
    def __init__(self, status: int, message: str, code: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}


def error_body(message: str, code: str, **extensions) -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


class OperationResult:
    def __init__(self, body: dict, status: int = 200, cacheable: bool = False):
        self.body, self.status, self.cacheable = body, status, cacheable


def _uses_preview_token(document) -> bool:
    """Preview answers are drafts: never cacheable by shared caches."""
    from graphql import Visitor, visit

    found = []

    class TokenVisitor(Visitor):
        def enter_argument(self, node, *_):
            if node.name.value == "token":
                found.append(node)

    visit(document, TokenVisitor())
    return bool(found)


class PartnerGraphQLView(GraphQLView):
    """grapple's schema with limits, partner keys, persisted queries and HTTP caching."""

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "POST"):
            return self.refusal(
                RequestRefused(
                    405, "GraphQL accepte GET et POST seulement.", "METHOD_NOT_ALLOWED", {"Allow": "GET, POST"}
                )
            )
        if self.graphiql and request.method == "GET" and self.can_display_graphiql(request, request.GET):
            return super().dispatch(request, *args, **kwargs)
        try:
            self.check_size(request)
            caller = identify(request)
            request.graphql_caller = caller
            operations, batched = self.read_operations(request)
            consume(caller, len(operations))
        except AccessDenied as exc:
            headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
            return self.refusal(RequestRefused(exc.status, exc.message, exc.code, headers))
        except RequestRefused as exc:
            return self.refusal(exc)

        results = []
        for operation in operations:
            try:
                results.append(self.run_operation(request, operation))
            except RequestRefused as exc:
                results.append(OperationResult(error_body(exc.message, exc.code), exc.status))
        status = max(result.status for result in results)
        payload = [r.body for r in results] if batched else results[0].body
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        response = HttpResponse(body, status=status, content_type="application/json")
        cacheable = request.method == "GET" and not batched and results[0].cacheable and status == 200
        return self.apply_caching(request, response, body, cacheable)

    # -- steps ---------------------------------------------------------------

    def refusal(self, exc: RequestRefused) -> HttpResponse:
        body = json.dumps(error_body(exc.message, exc.code), ensure_ascii=False)
        response = HttpResponse(body, status=exc.status, content_type="application/json")
        for name, value in exc.headers.items():
            response[name] = value
        response["Cache-Control"] = "no-store"
        return response

    def check_size(self, request):
        max_bytes = limit("GRAPHQL_MAX_BODY_BYTES", 100_000)
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        size = max(declared, len(request.META.get("QUERY_STRING", "")))
        if size <= max_bytes and request.method == "POST":
            size = len(request.body)
        if size > max_bytes:
            raise RequestRefused(
                400, f"Requête trop volumineuse : {size} octets, au plus {max_bytes}.", "PAYLOAD_TOO_LARGE"
            )

    def read_operations(self, request) -> tuple[list[dict], bool]:
        if request.method == "GET":
            data = {key: request.GET.get(key) for key in ("query", "variables", "operationName", "extensions")}
            return [data], False
        content_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip()
        if content_type == "application/graphql":
            return [{"query": request.body.decode("utf-8", "replace")}], False
        if content_type != "application/json":
            raise RequestRefused(400, "Envoyez la requête en JSON (Content-Type: application/json).", "BAD_REQUEST")
        try:
            text = request.body.decode("utf-8")
            refuse_deep_json(text, "Le corps de la requête")
            data = json.loads(text)
        except (UnicodeDecodeError, ValueError):
            raise RequestRefused(400, "Le corps de la requête n’est pas du JSON valide.", "BAD_REQUEST") from None
        if isinstance(data, dict):
            return [data], False
        if isinstance(data, list):
            max_batch = limit("GRAPHQL_MAX_BATCH", 5)
            if not data or len(data) > max_batch:
                raise RequestRefused(
                    400, f"Lot de {len(data)} opérations : de 1 à {max_batch} par requête.", "BATCH_TOO_LARGE"
                )
            if not all(isinstance(item, dict) for item in data):
                raise RequestRefused(400, "Chaque opération du lot doit être un objet JSON.", "BAD_REQUEST")
            return data, True
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

    def run_operation(self, request, data: dict) -> OperationResult:
        variables = self._json_param(data.get("variables"), "variables")
        extensions = self._json_param(data.get("extensions"), "extensions")
        operation_name = data.get("operationName") or None
        try:
            query = resolve_persisted_query(data.get("query"), extensions)
        except PersistedQueryError as exc:
            # Apollo's links look for this message/code and resend with the query.
            return OperationResult(error_body(exc.message, exc.code), 200)
        if not query:
            raise RequestRefused(400, "Requête GraphQL absente (paramètre « query »).", "BAD_REQUEST")

        schema = self.schema.graphql_schema
        try:
            document = parse_bounded(query)
        except GraphQLError as exc:
            return self.failed([exc], 400)
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return self.failed(
                [
                    GraphQLError(
                        "Opération introuvable : donnez « operationName » quand le document en contient plusieurs."
                    )
                ],
                400,
            )
        if request.method == "GET" and operation.operation != OperationType.QUERY:
            raise RequestRefused(405, f"Une opération {operation.operation.value} demande POST.", "METHOD_NOT_ALLOWED")

        rules = list(specified_rules)
        if not settings.GRAPHQL_INTROSPECTION and is_anonymous(request):
            rules.append(NoSchemaIntrospectionCustomRule)
        errors = validate(schema, document, rules, max_errors=20)
        if errors:
            return self.failed(errors, 400)
        errors = check_limits(schema, document, operation, variables)
        if errors:
            return self.failed(errors, 400)

        result: ExecutionResult = execute(
            schema,
            document,
            context_value=request,
            variable_values=variables,
            operation_name=operation_name,
            middleware=self.get_middleware(request),
        )
        body = {}
        status = 200
        if result.errors:
            body["errors"] = [self.format_execution_error(e) for e in result.errors]
            if any(not e.path for e in result.errors):
                status = 400
        if status == 200:
            body["data"] = result.data
        cacheable = (
            not result.errors
            and operation.operation == OperationType.QUERY
            and not getattr(getattr(request, "user", None), "is_authenticated", False)
            and not _uses_preview_token(document)
        )
        return OperationResult(body, status, cacheable)

    def failed(self, errors, status) -> OperationResult:
        return OperationResult({"errors": [self.format_execution_error(e) for e in errors]}, status)

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
        if original is not None and not isinstance(original, CLIENT_FACING_ERRORS):
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

    def apply_caching(self, request, response, body: bytes, cacheable: bool):
        if not cacheable:
            response["Cache-Control"] = "no-store"
            return response
        etag = '"' + hashlib.sha256(body).hexdigest() + '"'
        response["ETag"] = etag
        response["Cache-Control"] = f"public, max-age={limit('GRAPHQL_CACHE_MAX_AGE', 60)}"
        response["Vary"] = "Origin"
        candidates = [tag.strip() for tag in request.META.get("HTTP_IF_NONE_MATCH", "").split(",") if tag.strip()]
        if etag in candidates or "*" in candidates:
            not_modified = HttpResponse(status=304)
            for header in ("ETag", "Cache-Control", "Vary"):
                not_modified[header] = response[header]
            return not_modified
        return response
