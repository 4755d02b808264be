"""Demo conversations for `seed_demo`: a client and freelancers talking about proposals and offers, some
unread. Idempotent: nothing is added when the demo threads already have messages."""

from marketplace.models import ContractOffer, Proposal
from messaging import services
from messaging.models import Message

THREADS = [
    # proposal's job title, freelancer e-mail, [(sender is client?, text)]
    (
        "Django REST API for a fitness app",
        "hamza@demo.kamai.pk",
        [
            (True, "Thanks for the proposal. Have you worked with Apple in-app subscriptions before?"),
            (False, "Yes — two apps last year, with server-side receipt validation. Happy to show you the code."),
            (True, "Great. Could you do a short call on Thursday, 9 am New York time?"),
        ],
    ),
    (
        "SEO audit for our SaaS blog",
        "usman@demo.kamai.pk",
        [
            (
                False,
                "Salaam Emily, I ran a quick crawl: 34 of your posts have duplicate titles. I can fix those first.",
            ),
        ],
    ),
    (
        "Arabic–English translation of a product catalogue",
        "zainab@demo.kamai.pk",
        [
            (True, "We sent you an offer. Can you keep the catalogue's table layout in the translation?"),
            (False, "Yes, I work directly in InDesign, so the layout stays as it is."),
        ],
    ),
]


def seed() -> str:
    if Message.objects.exists():
        return ""
    made = 0
    for job_title, email, lines in THREADS:
        proposal = Proposal.objects.filter(job__title=job_title, freelancer__email=email).select_related("job").first()
        if proposal is None:
            continue
        offer = ContractOffer.objects.filter(proposal=proposal).first()
        client = proposal.job.client
        conversation = services.conversation_start(
            starter=client, **({"offer": offer} if offer else {"proposal": proposal})
        )
        for from_client, text in lines:
            services.message_send(
                conversation=conversation, sender=client if from_client else proposal.freelancer, body=text
            )
            made += 1
    return f"Messages: {made} in {len(THREADS)} conversations (some unread)."
