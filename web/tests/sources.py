"""The project's own source files, for the tests that read code rather than run it (structure, module
size, untranslated strings): everything but third-party code, migrations, tests and benchmarks."""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
NOT_OURS = {".venv", ".git", "node_modules", "staticfiles", "var", "locale_vendor", "migrations", "tests", "bench"}


def project_files(pattern: str = "**/*.py") -> list[Path]:
    """Paths relative to the project root, sorted."""
    return sorted(
        relative
        for relative in (path.relative_to(ROOT) for path in ROOT.glob(pattern))
        if not NOT_OURS.intersection(relative.parts)
    )
