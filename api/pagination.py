from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    """Every API list: newest first by id (unique, so no row is skipped or shown twice between pages), with an
    opaque `cursor` taken from the `next` and `previous` links."""

    ordering = "-id"
    page_size = 20
    invalid_cursor_message = _("This cursor is not valid; start again from the first page.")

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [error.detail]}) from error
