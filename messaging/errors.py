class MessagingError(Exception):
    """A refused messaging action; the message is fit to show to the user."""


class NotAllowed(MessagingError):
    """The user is not a participant (views answer 404, so strangers learn nothing)."""
