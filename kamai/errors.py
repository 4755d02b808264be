"""Error reporting to Sentry, switched on by SENTRY_DSN (settings call init_sentry)."""


def init_sentry(
    *,
    dsn: str,
    environment: str = "",
    release: str = "",
    traces_sample_rate: float = 0.0,  # float-ok: a share of requests, not money
) -> None:
    """Report unhandled errors in views and in Huey jobs. No personal data is sent (no user e-mails, cookies
    or request bodies), and no performance traces unless SENTRY_TRACES_SAMPLE_RATE asks for a share."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    integrations = [DjangoIntegration()]
    try:
        from sentry_sdk.integrations.huey import HueyIntegration
    except ImportError:  # older SDKs have no Huey integration; Django's still reports the web side
        pass
    else:
        integrations.append(HueyIntegration())
    sentry_sdk.init(
        dsn=dsn,
        integrations=integrations,
        environment=environment or None,
        release=release or None,
        # No send_default_pii: left unset it is off, and this SDK warns that setting it is deprecated.
        traces_sample_rate=traces_sample_rate,
    )
