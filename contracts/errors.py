class ContractError(Exception):
    """A refused contract action; the message is fit to show to the user."""


class NotAllowed(ContractError):
    pass


class InvalidTransition(ContractError):
    pass
