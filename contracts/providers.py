"""How clients pay money in. A provider turns a PayIn into either money received now or instructions for
the client; contract code only talks to this interface, so a card or wallet provider is one more class.

Providers:
- bank_transfer: the client is shown Kamai's bank details and the PayIn's reference; staff confirm receipt
  with the bank's reference, which posts the money (see services.payin_confirm).
- sandbox: money arrives at once; for demos and tests, refused unless KAMAI_ALLOW_SANDBOX_PAYMENTS.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PayInStart:
    received: bool  # True: the money is in now; False: waiting for the client to act
    instructions: dict


class PaymentProvider:
    code = ""
    label = ""

    def available(self) -> bool:
        return True

    def start(self, payin) -> PayInStart:
        raise NotImplementedError


class BankTransferProvider(PaymentProvider):
    code = "bank_transfer"
    label = _("Bank transfer")

    def start(self, payin) -> PayInStart:
        return PayInStart(received=False, instructions={**settings.KAMAI_BANK_DETAILS, "reference": payin.reference})


class SandboxProvider(PaymentProvider):
    code = "sandbox"
    label = _("Sandbox (instant, test money)")

    def available(self) -> bool:
        return bool(settings.KAMAI_ALLOW_SANDBOX_PAYMENTS)

    def start(self, payin) -> PayInStart:
        return PayInStart(received=True, instructions={})


PROVIDERS: dict[str, PaymentProvider] = {p.code: p for p in (BankTransferProvider(), SandboxProvider())}


def available_providers() -> list[PaymentProvider]:
    return [provider for provider in PROVIDERS.values() if provider.available()]


def get_provider(code: str) -> PaymentProvider | None:
    provider = PROVIDERS.get(code)
    return provider if provider and provider.available() else None
