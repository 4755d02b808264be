class InvoicingError(Exception):
    """A refused invoicing action; the message is fit to show to the user. Raised before anything is
    written, or inside the transaction it rolls back, so catching it means nothing was saved."""


class NotAllowed(InvoicingError):
    pass


class InvalidTransition(InvoicingError):
    pass
