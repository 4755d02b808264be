"""Full-text search behind one contract: PostgreSQL tsvector + GIN in production, SQLite FTS5 on the
embedded default. Both stem English words (PostgreSQL's `english` config, FTS5's porter tokenizer), both
require every word of the query to match ("plain" search), and both rank title above skills above body.

Indexing is explicit: services call `index_job` / `index_freelancer` after every write that changes the text.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Value
from django.db.models.expressions import RawSQL

from accounts.models import FreelancerProfile
from common import fragments
from marketplace.models import Job

JOB_FTS = "marketplace_job_fts"
FREELANCER_FTS = "marketplace_freelancer_fts"
MAX_TOKENS = 12
# PostgreSQL's english.stop list: dropped on both engines so SQLite and PostgreSQL agree on what must match.
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is are
    was were be been being have has had having do does did doing a an the and but if or because as until while of
    at by for with about against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each few more most other
    some such no nor not only own same so than too very s t can will just don should now
    """.split()
)


def tokens(text: str) -> list[str]:
    words = [word for word in re.findall(r"\w+", (text or "").lower()) if word not in STOP_WORDS]
    return words[:MAX_TOKENS]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _skills_text(obj) -> str:
    return " ".join(skill.name for skill in obj.skills.all())


def _sqlite_replace(table: str, rowid: int, columns: tuple[str, str, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE rowid = %s", [rowid])  # noqa: S608 - fixed table names
        cursor.execute(
            f"INSERT INTO {table} (rowid, a, b, c) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [rowid, *columns],
        )


def index_job(job) -> None:
    fragments.changed("jobs")

    skills = _skills_text(job)
    if is_postgres():
        Job.objects.filter(pk=job.pk).update(
            search_vector=SearchVector("title", weight="A", config="english")
            + SearchVector(Value(skills), weight="B", config="english")
            + SearchVector("description", weight="C", config="english")
        )
    else:
        _sqlite_replace(JOB_FTS, job.pk, (job.title, skills, job.description))


def index_freelancer(profile) -> None:
    fragments.changed("freelancers")

    skills = _skills_text(profile)
    if is_postgres():
        FreelancerProfile.objects.filter(pk=profile.pk).update(
            search_vector=SearchVector("display_name", "headline", weight="A", config="english")
            + SearchVector(Value(skills), weight="B", config="english")
            + SearchVector("bio", weight="C", config="english")
        )
    else:
        _sqlite_replace(FREELANCER_FTS, profile.pk, (f"{profile.display_name} {profile.headline}", skills, profile.bio))


def _sqlite_match(words: list[str], any_word: bool) -> str:
    return (" OR " if any_word else " ").join(f'"{word}"' for word in words)


def _pg_query(words: list[str], any_word: bool) -> SearchQuery:
    if any_word:
        return SearchQuery(" | ".join(words), search_type="raw", config="english")
    return SearchQuery(" ".join(words), search_type="plain", config="english")


def _rank(queryset, words: list[str], any_word: bool):
    if is_postgres():
        return SearchRank(F("search_vector"), _pg_query(words, any_word))
    table = JOB_FTS if queryset.model._meta.model_name == "job" else FREELANCER_FTS
    outer = queryset.model._meta.db_table
    # Table names are constants; the user's words travel only as the bound MATCH parameter.
    return RawSQL(  # noqa: S611
        f"(SELECT -bm25({table}, 10.0, 5.0, 1.0) FROM {table} "  # noqa: S608 - fixed table names
        f"WHERE {table} MATCH %s AND {table}.rowid = {outer}.id)",
        [_sqlite_match(words, any_word)],
    )


def text_search(queryset, text: str, *, any_word: bool = False):
    """Filter `queryset` (Job or FreelancerProfile) to rows matching `text` and annotate `text_rank`
    (higher is better). Returns (queryset, matched): matched is False when the text has no words."""
    words = tokens(text)
    if not words:
        return queryset, False
    if is_postgres():
        matching = queryset.filter(search_vector=_pg_query(words, any_word))
    else:
        table = JOB_FTS if queryset.model._meta.model_name == "job" else FREELANCER_FTS
        matching = queryset.filter(
            pk__in=RawSQL(  # noqa: S611
                f"SELECT rowid FROM {table} WHERE {table} MATCH %s",  # noqa: S608
                [_sqlite_match(words, any_word)],
            )
        )
    return matching.annotate(text_rank=_rank(queryset, words, any_word)), True


def text_rank(queryset, text: str):
    """Annotate `text_rank` for `text` (as text_search) without filtering: for rows already known to match,
    where a second full-text match would only read the index again."""
    return queryset.annotate(text_rank=_rank(queryset, tokens(text), any_word=False))
