"""Rules of the code's shape that a reviewer would otherwise have to remember."""

import ast
from pathlib import Path

from web.tests.sources import ROOT, project_files

STATE_HELPER = Path("common/states.py")


def python_files():
    for relative in project_files():
        yield relative, (ROOT / relative).read_text()


def state_assignments(source: str) -> list[int]:
    """Lines that set an object's `state` other than through common.states.move."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr" and len(node.args) > 1:
            if isinstance(node.args[1], ast.Constant) and node.args[1].value == "state":
                lines.append(node.lineno)
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and part.attr == "state" and isinstance(part.ctx, ast.Store):
                    lines.append(node.lineno)
    return lines


def test_state_changes_only_through_the_transition_helper():
    found = [
        f"{relative}:{line}"
        for relative, source in python_files()
        if relative != STATE_HELPER
        for line in state_assignments(source)
    ]
    assert found == [], "set .state through common.states.move and the model's transition table: " + ", ".join(found)


def test_the_check_sees_every_way_of_setting_a_state():
    source = "a.state = 1\nb.state, c = 2, 3\nsetattr(d, 'state', 4)\ne.state_on = 5\nf = g.state\n"
    assert state_assignments(source) == [1, 2, 3]


# (`.update` is left out: views update context dicts all the time.)
WRITES = {"save", "delete", "create", "bulk_create", "get_or_create", "update_or_create"}


def writes_in(source: str) -> list[tuple[int, str]]:
    """Calls in a views module that write or open a transaction themselves instead of calling a service."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            receiver = node.func.value
            # `services.x.create(...)`-style names are services; `Model.objects.create`, `obj.save()` are not.
            if isinstance(receiver, ast.Name) and receiver.id.endswith("services"):
                continue
            found.append((node.lineno, node.func.attr))
        elif isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "atomic":
                    found.append((node.lineno, "atomic"))
    return found


def test_views_write_only_through_services():
    found = [
        f"{relative}:{line} .{name}()"
        for relative, source in python_files()
        if relative.name == "views.py" or "views" in relative.parts
        for line, name in writes_in(source)
    ]
    assert found == [], "move these writes into a service: " + ", ".join(found)


def test_the_view_check_sees_writes():
    source = "Token.objects.create(user=u)\nrow.save()\nservices.thing_create(x=1)\nwith transaction.atomic():\n pass\n"
    assert sorted(writes_in(source)) == [(1, "create"), (2, "save"), (4, "atomic")]


def module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file() and ".venv" not in path.relative_to(ROOT).parts:
            return path
    return None


def project_imports(name: str) -> set[str]:
    """Our own modules that `name` imports, at the top or inside a function (a hidden import still counts)."""
    found = set()
    for node in ast.walk(ast.parse(module_path(name).read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {module for module in found if module_path(module)}


def services_reached_from(start: str) -> list[str]:
    """Every services module that `start` reaches, each with the chain of imports that gets there."""
    came_from, todo = {start: ""}, [start]
    while todo:
        module = todo.pop()
        if "services" in module.split("."):
            continue  # the first services module on the way is the one to report
        for imported in sorted(project_imports(module) - came_from.keys()):
            came_from[imported] = module
            todo.append(imported)
    chains = []
    for module in sorted(came_from):
        if "services" in module.split("."):
            chain = [module]
            while came_from[chain[-1]]:
                chain.append(came_from[chain[-1]])
            chains.append(" <- ".join(chain))
    return chains


def test_selectors_never_import_services():
    # Reads sit below writes: what both need (contracts.terms, ledger.money...) lives in a lower module.
    found = [
        chain
        for relative, _source in python_files()
        if relative.name == "selectors.py"
        for chain in services_reached_from(".".join(relative.with_suffix("").parts))
    ]
    assert found == [], "a selector reaches a services module: " + "; ".join(found)


def test_the_selector_check_follows_imports():
    assert services_reached_from("contracts.views")
    assert any(chain.startswith("contracts.services <- ") for chain in services_reached_from("api.views"))


KAMAI_PACKAGES = {
    "common", "kamai", "web", "accounts", "marketplace", "messaging", "contracts", "payouts", "ledger",
    "invoicing", "books", "tax", "insights", "api", "webhooks",
}  # fmt: skip


def local_imports(source: str) -> list[tuple[int, str]]:
    """Kamai imports written inside a function (where they usually hide an import cycle), except in
    AppConfig.ready, the one place an app may reach for models and registries once they are loaded."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [(node.lineno, name) for name in names if name.split(".")[0] in KAMAI_PACKAGES]
    return found


def test_no_function_imports_kamai_code_to_dodge_a_cycle():
    found = [f"{relative}:{line} {name}" for relative, source in python_files() for line, name in local_imports(source)]
    assert found == [], "import at the top of the module, and break the cycle instead: " + ", ".join(found)


def test_the_local_import_check_sees_them():
    source = (
        "def f():\n    from contracts.services import x\n"
        "def ready(self):\n    from books import tax_notes\n"
        "def g():\n    import json\n    from django.db import models\n"
    )
    assert local_imports(source) == [(2, "contracts.services")]


def unnamespaced_kamai_urls() -> list[str]:
    """Kamai pages reachable from kamai/urls.py other than through their app's namespace (`<app>:<name>`)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            module = getattr(entry.urlconf_module, "__name__", "")
            app = module.split(".")[0]
            if app in KAMAI_PACKAGES and entry.namespace != app:
                found.append(f"{entry.pattern} -> {module} (namespace {entry.namespace!r})")
        elif isinstance(entry, URLPattern):
            app = entry.lookup_str.split(".")[0]
            if app in KAMAI_PACKAGES - {"kamai"}:  # the project's own endpoints (metrics) sit at the root
                found.append(f"{entry.pattern} -> {entry.lookup_str}")
    return found


def test_every_kamai_app_has_its_url_namespace():
    from django.urls import reverse

    assert unnamespaced_kamai_urls() == []
    assert reverse("contracts:contract_list") == "/contracts/"  # paths stay as they were


def test_the_higher_apps_fill_the_lower_apps_registries_at_start_up():
    from accounts.services import _PROFILE_LISTENERS
    from books.tax_notes import _NOTES
    from ledger.references import _RESOLVERS
    from ledger.services.applying import _PROJECTORS
    from marketplace.services import _DISPUTES_LOST, _OFFER_ACCEPTED
    from messaging import subjects

    assert _PROJECTORS and _PROFILE_LISTENERS and _OFFER_ACCEPTED and _DISPUTES_LOST
    assert all(prefix in _RESOLVERS for prefix in ("contract", "milestone", "invoice", "withdrawal"))
    assert "income_rule" in _NOTES and "with_retention" in _NOTES
    assert all(subjects.known(kind) for kind in subjects.PRECEDENCE)
