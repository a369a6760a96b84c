def is_platform_sign_in(request, credentials):
    """Whether django-axes should leave this sign-in attempt alone (AXES_WHITELIST_CALLABLE).

    Axes counts wrong passwords per user name and address. A platform's answer (an OIDC
    callback's nonce, a CAS ticket) carries no password and no user name: counted, refused
    answers would pile up under "no name" at one address and lock everyone behind that
    office's address out of the platform. The platform locks out its own wrong passwords;
    a forged answer here fails its signature or ticket check, however often it is tried."""
    credentials = credentials or {}
    return not credentials.get("username") and ("nonce" in credentials or "ticket" in credentials)
