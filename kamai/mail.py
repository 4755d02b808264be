"""E-mail goes through the Huey worker so a slow mail server never slows a page."""

from django.core.mail.backends.base import BaseEmailBackend

from web.tasks import deliver_email


class QueuedEmailBackend(BaseEmailBackend):
    """Enqueues each message as a Huey job (web.tasks.deliver_email) instead of sending it in the request."""

    def send_messages(self, email_messages):
        count = 0
        for message in email_messages:
            message.connection = None  # the worker opens its own connection
            deliver_email(message)
            count += 1
        return count
