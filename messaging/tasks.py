"""Huey jobs for messaging: the delayed, batched new-message e-mail."""

from huey.contrib.djhuey import db_task

from messaging import services  # the module, not its names: services enqueue these jobs


@db_task(retries=2, retry_delay=60)
def send_message_digest(conversation_id: int, recipient_id: int) -> int:
    """Scheduled by message_send after KAMAI_MESSAGE_EMAIL_DELAY_SECONDS; one e-mail per burst of messages."""
    return services.message_digest_send(conversation_id=conversation_id, recipient_id=recipient_id)
