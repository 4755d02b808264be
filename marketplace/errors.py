class MarketplaceError(Exception):
    """A refused marketplace action; the message is fit to show to the user."""


class NotAllowed(MarketplaceError):
    pass


class InvalidTransition(MarketplaceError):
    pass
