"""graphql-core's execution, with a shorter path through each field.

A search results page is some 600 fields; most are texts and numbers (a name, a
count, a facet label). graphql-core spends more on each than its resolver does:

- ``execute_field`` looks the field's definition up and reads its arguments for
  every value; here the definition and resolver of a field are looked up once per
  request (the same field of each of 20 hits), and a field without arguments
  skips reading them;
- ``complete_value`` asks of each value's type in turn whether it is non-null, a
  list, a leaf, abstract, an object, and calls itself again below a non-null type;
  here each type's kind is looked up once per worker, with the same checks in the
  same order and the same errors. Abstract types (interfaces, unions) keep
  graphql-core's own path.
- ``is_awaitable``: graphql-core asks of each value (about 2,000 per search page)
  whether it can be awaited, which for an object is a failed attribute lookup; a
  text, a number, a list or a dict never can.

Awaitable results (no resolver of this schema returns one) are handled as
graphql-core handles them. ``tests/api/test_execution.py`` runs the same
documents through graphql-core's own execution and compares data and errors.
"""

from asyncio import gather
from typing import NamedTuple

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    ExecutionContext,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
    located_error,
)
from graphql.execution.execute import get_field_def
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, inspect
from graphql.pyutils import is_awaitable as graphql_is_awaitable

from .visibility import visible

NEVER_AWAITABLE = frozenset({str, int, float, bool, type(None), list, tuple, dict})

LEAF_TYPES = (GraphQLScalarType, GraphQLEnumType)


class Kind(NamedTuple):
    """How to complete a value of a type: its innermost step, and whether null is refused first."""

    step: str  # "leaf", "list", "object" or "other" (abstract types: graphql-core's own path)
    non_null: bool


# Type -> its kind. Types are compared by identity and live as long as the schema.
_kinds: dict = {}


def kind_of(return_type) -> Kind:
    kind = _kinds.get(return_type)
    if kind is None:
        non_null = isinstance(return_type, GraphQLNonNull)
        inner = return_type.of_type if non_null else return_type
        if isinstance(inner, LEAF_TYPES):
            kind = Kind("leaf", non_null)
        elif isinstance(inner, GraphQLList):
            kind = Kind("list", non_null)
        elif isinstance(inner, GraphQLObjectType):
            kind = Kind("object", non_null)
        else:
            kind = Kind("other", False)
        _kinds[return_type] = kind
    return kind


def is_awaitable(value) -> bool:
    return type(value) not in NEVER_AWAITABLE and graphql_is_awaitable(value)


# graphql-core's own scalars and the Python type each serialises to itself
# (``serialize_string`` returns a ``str`` as it is…); an Int within its bounds too.
SELF_SERIALIZED = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool, GraphQLInt: int}


# What ``api.visibility.visible`` returns as it is (it is not called for these).
VISIBLE_AS_THEY_ARE = frozenset({str, int, float, bool})


def serialize_leaf(leaf_type, result):
    """graphql-core's ``complete_leaf_value``: the serialised value, never null."""
    serialized = leaf_type.serialize(result)
    if serialized is Undefined or serialized is None:
        raise TypeError(
            f"Expected `{inspect(leaf_type)}.serialize({inspect(result)})`"
            f" to return non-nullable value, returned: {inspect(serialized)}"
        )
    return serialized


class ShortPathExecutionContext(ExecutionContext):
    """graphql-core's execution with field plans and type kinds (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (parent type, field node) -> (field definition, resolver, arguments to read): the
        # same field of each hit of a list is looked up once (graphql-core's _subfields_cache does so for selections).
        self._field_plans: dict = {}
        # (parent type, id of a selection) -> (the selection, its fields' plans): see ``fields_plan``.
        self._fields_plans: dict = {}

    def fields_plan(self, parent_type, fields: dict) -> list:
        """(response name, field nodes, leaf plan or None) of each field of a selection, once per request.

        A leaf plan is for a field that reads an attribute under the visibility
        guard alone (``api.field_guards.plain_attribute``) and returns a scalar or
        an enum: (attribute, default, return type, its nullable type, the Python
        type its value serialises to itself, or None).
        """
        key = (parent_type, id(fields))
        found = self._fields_plans.get(key)
        if found is not None and found[0] is fields:
            return found[1]
        plan = []
        for response_name, field_nodes in fields.items():
            field_def, resolve_fn, _ = self.field_plan(parent_type, field_nodes)
            attribute = getattr(resolve_fn, "plain_attribute", None)
            leaf = None
            if attribute is not None:
                kind = kind_of(field_def.type)
                if kind.step == "leaf":
                    inner = field_def.type.of_type if kind.non_null else field_def.type
                    leaf = (attribute[0], attribute[1], field_def.type, inner, SELF_SERIALIZED.get(inner))
            plan.append((response_name, field_nodes, leaf))
        # The selection is kept with its plan: its id is never another's while the plan lives.
        self._fields_plans[key] = (fields, plan)
        return plan

    def execute_fields(self, parent_type, source_value, path, fields):
        """graphql-core's ``execute_fields``; a leaf read from an attribute is answered here.

        Such a field is what graphql-core would do with it: the attribute (or the
        dict's key), filtered by ``visible``, then null refused for a non-null type,
        else serialised; a value of the Python type its scalar serialises to itself
        is the answer. Any error is located and handled as ``execute_field`` does
        (the path is built only then).
        """
        return self.execute_planned(parent_type, source_value, path, self.fields_plan(parent_type, fields))

    def execute_planned(self, parent_type, source_value, path, plan):
        """``execute_fields`` with the selection's plan (``fields_plan``) at hand."""
        results = {}
        is_awaitable = self.is_awaitable
        awaitable_fields = []
        context = self.context_value
        for response_name, field_nodes, leaf in plan:
            if leaf is None:
                result = self.execute_field(
                    parent_type, source_value, field_nodes, Path(path, response_name, parent_type.name)
                )
                if result is Undefined:
                    continue
                results[response_name] = result
                if is_awaitable(result):
                    awaitable_fields.append(response_name)
                continue
            attribute, default, return_type, inner, self_type = leaf
            try:
                if isinstance(source_value, dict):
                    value = source_value.get(attribute, default)
                else:
                    value = getattr(source_value, attribute, default)
                if value is not None and type(value) not in VISIBLE_AS_THEY_ARE:
                    value = visible(value, context)
                if type(value) is self_type and (self_type is not int or GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT):
                    results[response_name] = value
                    continue
                if value is None or is_awaitable(value) or isinstance(value, Exception):
                    # The rare cases (null, an error returned, an awaitable): graphql-core's steps.
                    field_path = Path(path, response_name, parent_type.name)
                    info = self.build_resolve_info(
                        self.field_plan(parent_type, field_nodes)[0], field_nodes, parent_type, field_path
                    )
                    if is_awaitable(value):
                        results[response_name] = self.await_field(return_type, field_nodes, info, field_path, value)
                        awaitable_fields.append(response_name)
                        continue
                    results[response_name] = self.complete_value(return_type, field_nodes, info, field_path, value)
                    continue
                results[response_name] = serialize_leaf(inner, value)
            except Exception as raw_error:
                field_path = Path(path, response_name, parent_type.name)
                error = located_error(raw_error, field_nodes, field_path.as_list())
                self.handle_field_error(error, return_type, field_path)
                results[response_name] = None
        if not awaitable_fields:
            return results

        async def get_results():  # graphql-core's: the awaitable fields awaited together
            results.update(
                zip(awaitable_fields, await gather(*(results[name] for name in awaitable_fields)), strict=True)
            )
            return results

        return get_results()

    def field_plan(self, parent_type, field_nodes):
        key = (parent_type, id(field_nodes[0]))
        plan = self._field_plans.get(key)
        if plan is None:
            field_def = get_field_def(self.schema, parent_type, field_nodes[0])
            if field_def:
                resolve_fn = field_def.resolve or self.field_resolver
                if self.middleware_manager:
                    resolve_fn = self.middleware_manager.get_field_resolver(resolve_fn)
                plan = (field_def, resolve_fn, bool(field_def.args))
            else:
                plan = (None, None, False)
            self._field_plans[key] = plan
        return plan

    def execute_field(self, parent_type, source, field_nodes, path):
        """graphql-core's ``execute_field`` for synchronous results; an awaitable one goes back to it."""
        field_def, resolve_fn, has_arguments = self.field_plan(parent_type, field_nodes)
        if field_def is None:
            return Undefined
        return_type = field_def.type
        info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
        try:
            if has_arguments:
                result = resolve_fn(
                    source, info, **get_argument_values(field_def, field_nodes[0], self.variable_values)
                )
            else:
                result = resolve_fn(source, info)
            if self.is_awaitable(result):
                return self.await_field(return_type, field_nodes, info, path, result)
            completed = self.complete_value(return_type, field_nodes, info, path, result)
            if self.is_awaitable(completed):
                return self.await_field(return_type, field_nodes, info, path, completed, completed=True)
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    async def await_field(self, return_type, field_nodes, info, path, awaitable, completed=False):
        """What graphql-core does with an awaitable result or completion (no resolver here returns one)."""
        try:
            value = await awaitable
            if completed:
                return value
            value = self.complete_value(return_type, field_nodes, info, path, value)
            if self.is_awaitable(value):
                return await value
            return value
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    def complete_list_value(self, return_type, field_nodes, info, path, result):
        """graphql-core's ``complete_list_value``, shorter for a list of texts or of plain objects.

        A list (or tuple) of texts for ``[String!]`` is its own answer. A list of
        objects of a type without ``is_type_of`` has its items' selection collected
        once, and each item completed as ``complete_value`` would: an error raised,
        null refused for a non-null item, else its fields; an item's error is located
        at its index. Anything else (other lists, awaitable items) takes graphql-core's path.
        """
        if type(result) not in (list, tuple):
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        item_type = return_type.of_type
        step, non_null = _kinds.get(item_type) or kind_of(item_type)
        inner = item_type.of_type if non_null else item_type
        if step == "leaf":
            self_type = SELF_SERIALIZED.get(inner)
            if self_type is str and all(type(item) is str for item in result):
                return list(result)
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        is_awaitable = self.is_awaitable
        if step != "object" or inner.is_type_of is not None or any(is_awaitable(item) for item in result):
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        plan = self.fields_plan(inner, self.collect_subfields(inner, field_nodes))
        completed = []
        awaitable_indices = []
        for index, item in enumerate(result):
            item_path = path.add_key(index, None)
            try:
                if isinstance(item, Exception):
                    raise item
                if item is None or item is Undefined:
                    if non_null:
                        raise TypeError(
                            f"Cannot return null for non-nullable field {info.parent_type.name}.{info.field_name}."
                        )
                    completed.append(None)
                    continue
                value = self.execute_planned(inner, item, item_path, plan)
                if is_awaitable(value):
                    value = self.await_item(item_type, field_nodes, item_path, value)
                    awaitable_indices.append(index)
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, item_path.as_list())
                self.handle_field_error(error, item_type, item_path)
                value = None
            completed.append(value)
        if not awaitable_indices:
            return completed

        async def get_completed():  # graphql-core's: the awaitable items awaited together
            values = await gather(*(completed[index] for index in awaitable_indices))
            for index, value in zip(awaitable_indices, values, strict=True):
                completed[index] = value
            return completed

        return get_completed()

    async def await_item(self, item_type, field_nodes, item_path, awaitable):
        try:
            return await awaitable
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, item_path.as_list())
            self.handle_field_error(error, item_type, item_path)
            return None

    def complete_value(self, return_type, field_nodes, info, path, result):
        """graphql-core's ``complete_value``, the type's kind looked up instead of asked step by step.

        Same order of checks, same errors: an exception is raised, null is refused
        for a non-null type, else the value is serialised (leaf) or completed as a
        list or an object by graphql-core's own methods.
        """
        step, non_null = _kinds.get(return_type) or kind_of(return_type)
        if step == "other":
            return super().complete_value(return_type, field_nodes, info, path, result)
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            if non_null:
                raise TypeError(f"Cannot return null for non-nullable field {info.parent_type.name}.{info.field_name}.")
            return None
        inner = return_type.of_type if non_null else return_type
        if step == "leaf":
            return serialize_leaf(inner, result)
        if step == "list":
            return self.complete_list_value(inner, field_nodes, info, path, result)
        return self.complete_object_value(inner, field_nodes, info, path, result)
