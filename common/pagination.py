"""A Paginator told its count, for lists whose length a read model already knows: Django's asks the database
with COUNT(*), which reads every row of a long history to draw the page links."""

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached_property: this is its value
