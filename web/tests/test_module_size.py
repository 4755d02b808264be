"""No module grows past what a person reads in one sitting: past ~500 lines, split it into a package by area
(as contracts/services/ and invoicing/services/ are)."""

from web.tests.sources import ROOT, project_files

LIMIT = 500

# A module that may stay over the limit for a while, with its size then: it may shrink, never grow. Empty since
# the services, statements, views and models that were over it became packages; add one only with its reason.
ALLOWED_OVER_LIMIT: dict[str, int] = {}


def module_sizes() -> dict[str, int]:
    return {relative.as_posix(): len((ROOT / relative).read_bytes().splitlines()) for relative in project_files()}


def test_no_module_is_over_the_limit():
    sizes = module_sizes()
    offenders = [
        f"{name}: {lines} lines (limit {ALLOWED_OVER_LIMIT.get(name, LIMIT)})"
        for name, lines in sorted(sizes.items(), key=lambda item: -item[1])
        if lines > ALLOWED_OVER_LIMIT.get(name, LIMIT)
    ]
    assert offenders == [], "split these modules by area: " + "; ".join(offenders)


def test_the_allow_list_is_current():
    # An entry for a module that is gone or back under the limit would let it grow again unnoticed.
    sizes = module_sizes()
    stale = [name for name in ALLOWED_OVER_LIMIT if sizes.get(name, 0) <= LIMIT]
    assert stale == [], "remove from ALLOWED_OVER_LIMIT: " + ", ".join(stale)
