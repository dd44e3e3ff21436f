"""The house has one-way stairs: each app imports only from the floors below it, with no circles.

Read with ``ast`` (nothing is imported), so a forbidden import fails here even
in a module no other test loads. Floors, bottom to top (docs/architecture.md):

    lagrappe (configuration)  <  background (task plumbing)  <  directory (the domain)
    <  search | home (side by side, neither imports the other)
    <  directory_pages (the directory's pages, on top of what they render)  <  api (GraphQL, mirrors it all)

``lagrappe.urls`` (and the WSGI/ASGI entry points) wire every app together: they
are the roof, not the configuration floor. Migrations are history and are not read.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {
    "lagrappe": 0,
    "background": 1,
    "directory": 2,
    "search": 3,
    "home": 3,
    "directory_pages": 4,
    "api": 5,
}
ROOF = {"lagrappe.urls", "lagrappe.wsgi", "lagrappe.asgi"}
# Imports inside a function that are not there to dodge a circle: an AppConfig.ready()
# connects receivers once the registry is ready, and Wagtail's admin views cannot be
# imported while models load (FormPage names its submissions view).
LOCAL_IMPORTS_ALLOWED = {
    ("search.apps", "search.signals"),
    ("search.apps", "search.web.taxonomy"),
    ("home.apps", "home.signals"),
    ("directory.apps", "directory.signals"),
    ("directory.apps", "directory.moderation"),
    ("directory.apps", "lagrappe.spreadsheets"),
    ("api.apps", "api.signals"),
    ("home.models.forms", "home.views"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    modules = {}
    for package in FLOORS:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[module_name(path)] = path
    return modules


MODULES = project_modules()


def resolve(name: str) -> str | None:
    """The project module an imported name lives in (a package's __init__ for a name defined there)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path):
    """(imported project module, line, inside a function?) for every import statement."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def targets(node):
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        return [f"{base}.{alias.name}" for alias in node.names]

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for name in targets(child):
                    found = resolve(name)
                    if found and found != module:
                        yield found, child.lineno, in_function
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from walk(child, inner)

    yield from walk(tree, False)


def floor(module: str) -> tuple[str, int]:
    app = module.split(".")[0]
    return app, (99 if module in ROOF else FLOORS[app])


GRAPH = {module: list(imports_of(module, path)) for module, path in MODULES.items()}


def test_every_app_has_a_floor():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps <= set(FLOORS), f"give these apps a floor in tests/test_layers.py: {sorted(apps - set(FLOORS))}"


def floor_violations(graph) -> list[str]:
    wrong = []
    for module, imports in graph.items():
        app, level = floor(module)
        for imported, line, _ in imports:
            other_app, other_level = floor(imported)
            if other_app == app:
                continue
            if other_level > level or (other_level == level and level != 99):
                wrong.append(f"{module}:{line} -> {imported}")
    return wrong


def hidden_imports(graph) -> list[str]:
    return [
        f"{module}:{line} -> {imported}"
        for module, imports in graph.items()
        for imported, line, local in imports
        if local and (module, imported) not in LOCAL_IMPORTS_ALLOWED
    ]


def circles(graph) -> list[list[str]]:
    """Tarjan's strongly connected components of the module-level imports: two or more modules is a circle."""
    edges = defaultdict(set)
    for module, imports in graph.items():
        for imported, _, local in imports:
            if not local:
                edges[module].add(imported)
    index, low, on_stack, stack, found = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_imports_only_go_down():
    wrong = floor_violations(GRAPH)
    assert not wrong, "imports against the floors:\n" + "\n".join(wrong)


def test_no_import_hides_in_a_function():
    hidden = hidden_imports(GRAPH)
    assert not hidden, "function-local imports of project modules (move the code to its floor):\n" + "\n".join(hidden)


def test_no_circles():
    assert not circles(GRAPH), f"import circles: {circles(GRAPH)}"


def test_the_checks_catch_what_they_are_for():
    # The reader resolves relative imports to project modules (``from .. import service`` in search.web.views).
    assert ("search.service", False) in {(imported, local) for imported, _, local in GRAPH["search.web.views"]}
    graph = {
        "directory.models.structures": [("search.sync", 3, False), ("directory.views", 9, True)],
        "home.blocks": [("search.service", 5, False)],
        "search.sync": [("search.base", 1, False)],
        "search.base": [("search.sync", 1, False)],
        "lagrappe.urls": [("directory_pages.models", 1, False)],
    }
    assert floor_violations(graph) == [
        "directory.models.structures:3 -> search.sync",
        "home.blocks:5 -> search.service",
    ]
    assert hidden_imports(graph) == ["directory.models.structures:9 -> directory.views"]
    assert circles(graph) == [["search.base", "search.sync"]]
