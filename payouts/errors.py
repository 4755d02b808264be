class PayoutError(Exception):
    """A refused withdrawal action; the message is fit to show to the user."""


class NotAllowed(PayoutError):
    pass


class InvalidTransition(PayoutError):
    pass
