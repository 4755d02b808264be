class WebhookError(Exception):
    """A webhook request we refuse, with a message a person can read."""
