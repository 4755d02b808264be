"""Rules of the code's shape that a reviewer would otherwise have to remember."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "tests", "migrations", "bench", "locale_vendor", "docs"}
STATE_HELPER = Path("kamai/states.py")


def python_files():
    for path in sorted(ROOT.glob("**/*.py")):
        relative = path.relative_to(ROOT)
        if not SKIP_DIRS.intersection(relative.parts):
            yield relative, path.read_text()


def state_assignments(source: str) -> list[int]:
    """Lines that set an object's `state` other than through kamai.states.move."""
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
    assert found == [], "set .state through kamai.states.move and the model's transition table: " + ", ".join(found)


def test_the_check_sees_every_way_of_setting_a_state():
    source = "a.state = 1\nb.state, c = 2, 3\nsetattr(d, 'state', 4)\ne.state_on = 5\nf = g.state\n"
    assert state_assignments(source) == [1, 2, 3]
