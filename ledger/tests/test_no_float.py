"""No binary floating point anywhere near money: scan every Python file in the project for it.

A line that truly needs a float for something that is not money (an image's aspect ratio) may carry the
comment `# float-ok: <reason>`; the reason is read in review."""

import re
from pathlib import Path

from django.conf import settings

SKIP_DIRS = {".venv", "venv", "node_modules", "migrations", "var", "staticfiles", ".git", "__pycache__"}
# Spelled in pieces so this file does not match itself.
FLOAT = "flo" + "at"
# A match right after a quote is a string naming the pattern (another scanner like this one), not a use.
PATTERNS = [
    re.compile(rf"(?<![\"'])\b{FLOAT}\("),
    re.compile(rf"(?<![\"'])\b{FLOAT.capitalize()}Field\b"),
    re.compile(rf"(:|->)\s*{FLOAT}\b"),
    re.compile(r"(?<![\"'])\bFloat(Field|Value)?\b(?!ing)"),
    re.compile(r"\bmath\.fsum\("),
]
ALLOW = "# " + FLOAT + "-ok:"


def _python_files():
    for path in Path(settings.BASE_DIR).rglob("*.py"):
        if SKIP_DIRS.intersection(path.relative_to(settings.BASE_DIR).parts):
            continue
        yield path


def test_no_float_in_the_source_tree():
    offences = []
    for path in _python_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ALLOW in line:
                continue
            if any(pattern.search(line) for pattern in PATTERNS):
                offences.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}")
    assert not offences, "Binary floats near money (use Decimal or integer minor units):\n" + "\n".join(offences)


def test_the_scanner_catches_what_it_should():
    samples = [f"x = {FLOAT}(amount)", f"rate = models.{FLOAT.capitalize()}Field()", f"def f(a: {FLOAT}): ..."]
    assert all(any(p.search(s) for p in PATTERNS) for s in samples)
    assert not any(p.search("floating = 1") for p in PATTERNS)
    assert not any(p.search(f'if "{FLOAT}(" in source:') for p in PATTERNS)
