"""OpenID Connect sign-in through mozilla-django-oidc, configured from the provider's
discovery document.

mozilla-django-oidc wants every endpoint in the settings; ours come from
`OIDC_OP_ISSUER/.well-known/openid-configuration`, read once per process at the first
sign-in (never at start-up, so `manage.py check` and a server without network start), and an
explicit `OIDC_OP_*_ENDPOINT` setting overrides the document. The ID token is checked more
strictly than the library does by itself: signature from the JWKS, issuer, audience,
expiry and nonce.
"""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404
from django.shortcuts import resolve_url
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from identity.landing import landing_url, signed_out_url
from identity.models import PlatformAccount, claimed_codes

log = logging.getLogger(__name__)

# mozilla-django-oidc's setting names, and the discovery document's name for each.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
_discovered = {}
# The platform's clock and ours may differ by a little: a token issued "in a second" is fine.
CLOCK_SKEW_SECONDS = 60


def enabled():
    return bool(settings.OIDC_OP_ISSUER and settings.OIDC_RP_CLIENT_ID)


def discovery_document(issuer):
    """The provider's configuration, fetched once per process and issuer."""
    if issuer not in _discovered:
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer") != issuer:
            raise ImproperlyConfigured(
                f"{url} names the issuer {document.get('issuer')!r}, not {issuer!r}."
            )
        _discovered[issuer] = document
        log.info("identity: read the OpenID configuration of %s", issuer)
    return _discovered[issuer]


def endpoint(setting):
    """An endpoint of the provider: the explicit setting, else the discovery document's
    (empty where the provider has none, as for logout)."""
    explicit = getattr(settings, setting, "")
    if explicit:
        return explicit
    return discovery_document(settings.OIDC_OP_ISSUER).get(ENDPOINTS[setting], "")


class DiscoveredEndpoints:
    """The endpoint attributes mozilla-django-oidc's classes read, looked up when used."""

    OIDC_OP_AUTH_ENDPOINT = property(lambda self: endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT"))
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: endpoint("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: endpoint("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: endpoint("OIDC_OP_JWKS_ENDPOINT"))


class PlatformOIDCBackend(DiscoveredEndpoints, OIDCAuthenticationBackend):
    """Signs in the person the provider's ID token names, by its stable subject."""

    def __init__(self, *args, **kwargs):
        # Django makes a backend for every request's user and permission check: read no
        # endpoint here (the library's own __init__ would), only when signing in.
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    def get_user(self, user_id):
        # Every request of an open session asks this: a person deactivated here is signed
        # out at once, whatever the platform's session says.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request, **kwargs):
        # Only the callback passes a nonce; a password sign-in never reaches the provider.
        if not enabled() or "nonce" not in kwargs:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException) as refusal:
            log.warning("identity: OpenID Connect sign-in refused: %s", refusal)
            return None

    def _verify_jws(self, payload, key):
        if jwt.get_unverified_header(payload).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token not signed with {self.OIDC_RP_SIGN_ALGO}")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.InvalidTokenError as invalid:
            raise SuspiciousOperation(f"ID token refused: {invalid}") from invalid
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("ID token issued to another party (azp)")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims with the user info endpoint's, which must be about the
        same subject."""
        if not self.OIDC_OP_USER_ENDPOINT:
            return payload
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload["sub"]:
            raise SuspiciousOperation("user info is about another subject than the ID token")
        return {**payload, **userinfo}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        user = PlatformAccount.objects.sign_in(
            PlatformAccount.Provider.OIDC,
            claims["sub"],
            username=claims.get("preferred_username", ""),
            role_codes=claimed_codes(claims.get(settings.OIDC_CLAIM_ROLES)),
            department_codes=claimed_codes(claims.get(settings.OIDC_CLAIM_DEPARTMENTS)),
            first_name=claims.get("name", "")[:150],
            email=claims.get("email", ""),
        )
        if user is not None:
            # Read by accounts at sign-in: the platform's word counts as the second factor
            # only where its ID token says it asked for one.
            user.platform_second_factor = asked_second_factor(payload)
        return user


def asked_second_factor(id_token_claims):
    """Whether the ID token says the platform asked for a second factor: an `amr` value
    (RFC 8176) or an `acr` value that the settings name as such."""
    methods = id_token_claims.get("amr") or []
    if isinstance(methods, str):
        methods = [methods]
    return bool(set(methods) & set(settings.OIDC_SECOND_FACTOR_AMR)) or (
        id_token_claims.get("acr", "") in set(settings.OIDC_SECOND_FACTOR_ACR)
    )


class OnlyWhenConfigured:
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("OpenID Connect sign-in is not configured")
        return super().dispatch(request, *args, **kwargs)


class SignInView(OnlyWhenConfigured, DiscoveredEndpoints, OIDCAuthenticationRequestView):
    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID


class CallbackView(OnlyWhenConfigured, OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE)

    @property
    def success_url(self):
        return landing_url(self.user, super().success_url)


def provider_logout_url(request):
    """Where the browser goes after signing out here, to end the session at the provider
    too (RP-initiated logout), or None where its discovery document offers no
    end_session_endpoint."""
    end_session = endpoint("OIDC_OP_LOGOUT_ENDPOINT")
    if not end_session:
        return None
    query = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": signed_out_url(request),
    }
    if request.session.get("oidc_id_token"):
        query["id_token_hint"] = request.session["oidc_id_token"]
    return f"{end_session}?{urlencode(query)}"
