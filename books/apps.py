from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "books"
    verbose_name = "Books"

    def ready(self):
        from books.projection import project, wants
        from ledger.services import register_projector

        register_projector(project, wants=wants)
