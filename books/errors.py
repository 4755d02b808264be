class BooksError(Exception):
    """A refusal fit to show to the freelancer; nothing was saved."""
