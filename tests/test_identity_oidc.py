"""OpenID Connect sign-in against a provider on loopback whose ID tokens the test signs with
its own key, served from a JWKS: the tracker's real verification code accepts the good token
and refuses a tampered one, a wrong nonce, a wrong audience and an expired one. The whole
story through the certified provider's login pages is in tests/browser/test_identity_story.py."""

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from jwt.algorithms import RSAAlgorithm

from identity import oidc
from kpis import roles

CLIENT_ID = "guangming-tracker"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def provider(httpserver, settings, monkeypatch, department):
    issuer = httpserver.url_for("/op").rstrip("/")
    httpserver.expect_request("/op/.well-known/openid-configuration").respond_with_json(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/auth",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks",
            "end_session_endpoint": f"{issuer}/session/end",
        }
    )
    public = {**RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "k1", "alg": "RS256"}
    httpserver.expect_request("/op/jwks").respond_with_json({"keys": [public]})
    settings.OIDC_OP_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "identity.oidc.PlatformOIDCBackend",
    ]
    monkeypatch.setattr(oidc, "_discovered", {})
    return httpserver, issuer


def id_token(issuer, nonce, **overrides):
    now = int(time.time())
    claims = {
        "iss": issuer,
        "sub": "4403-0001",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "preferred_username": "li.wei",
        "roles": ["data_entry"],
        "dept_codes": ["science"],
        **overrides,
    }
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k1"})


def start_sign_in(client):
    """The tracker sends the browser to the provider; returns that request's parameters."""
    response = client.get("/oidc/authenticate/", {"next": "/en/my/"})
    return {key: values[0] for key, values in parse_qs(urlparse(response.url).query).items()}


def come_back(client, provider, make_token):
    """The provider redirects back with a code; the tracker exchanges it for `make_token`'s
    ID token (given the nonce the tracker sent) and decides."""
    server, issuer = provider
    request = start_sign_in(client)
    server.expect_oneshot_request("/op/token", method="POST").respond_with_json(
        {"id_token": make_token(issuer, request["nonce"]), "access_token": "at"}
    )
    return client.get("/oidc/callback/", {"code": "the-code", "state": request["state"]})


def signed_in(client):
    return client.session.get("_auth_user_id")


def test_a_valid_id_token_signs_the_official_in_with_the_departments_of_the_claims(
    client, provider, department
):
    response = come_back(client, provider, id_token)
    user = get_user_model().objects.get(pk=signed_in(client))
    assert response.url == "/en/my/"
    assert list(user.departments.all()) == [department]
    assert list(user.groups.values_list("name", flat=True)) == [roles.DATA_ENTRY]


def test_sign_in_uses_pkce_and_sends_the_verifier_of_the_challenge(client, provider):
    server, issuer = provider
    request = start_sign_in(client)
    server.expect_oneshot_request("/op/token", method="POST").respond_with_json(
        {"id_token": id_token(issuer, request["nonce"]), "access_token": "at"}
    )
    client.get("/oidc/callback/", {"code": "the-code", "state": request["state"]})
    token_request = next(entry for entry, _response in server.log if entry.path == "/op/token")
    verifier = parse_qs(token_request.get_data(as_text=True))["code_verifier"][0]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert request["code_challenge_method"] == "S256"
    assert request["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_a_tampered_id_token_is_refused(client, provider):
    def tampered(issuer, nonce):
        header, payload, signature = id_token(issuer, nonce).split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["roles"] = ["indicator_manager"]
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{forged}.{signature}"

    response = come_back(client, provider, tampered)
    assert response.url == "/accounts/refused/"
    assert not signed_in(client)


def test_an_id_token_with_another_nonce_is_refused(client, provider):
    response = come_back(client, provider, lambda issuer, nonce: id_token(issuer, "replayed"))
    assert response.url == "/accounts/refused/"
    assert not signed_in(client)


def test_an_id_token_for_another_audience_is_refused(client, provider):
    response = come_back(
        client, provider, lambda issuer, nonce: id_token(issuer, nonce, aud="another-app")
    )
    assert response.url == "/accounts/refused/"
    assert not signed_in(client)


def test_an_expired_id_token_is_refused(client, provider):
    past = int(time.time()) - 3600
    response = come_back(
        client, provider, lambda issuer, nonce: id_token(issuer, nonce, iat=past, exp=past + 300)
    )
    assert response.url == "/accounts/refused/"
    assert not signed_in(client)


def test_an_id_token_from_another_issuer_is_refused(client, provider):
    response = come_back(
        client, provider, lambda issuer, nonce: id_token("https://elsewhere.example", nonce)
    )
    assert response.url == "/accounts/refused/"
    assert not signed_in(client)


def test_the_discovery_document_is_read_once_for_many_sign_ins(client, provider):
    server, _issuer = provider
    come_back(client, provider, id_token)
    client.logout()
    come_back(client, provider, id_token)
    reads = [entry for entry in server.log if entry[0].path.endswith("openid-configuration")]
    assert signed_in(client)
    assert len(reads) == 1


def test_an_explicit_endpoint_overrides_the_discovery_document(client, provider, settings):
    server, issuer = provider
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/custom-authorize"
    response = client.get("/oidc/authenticate/")
    assert response.url.startswith(f"{issuer}/custom-authorize?")


def test_signing_out_ends_the_session_at_the_provider_too(client, provider):
    _server, issuer = provider
    come_back(client, provider, id_token)
    response = client.post("/accounts/logout/")
    query = parse_qs(urlparse(response.url).query)
    assert response.url.startswith(f"{issuer}/session/end?")
    assert query["post_logout_redirect_uri"] == ["http://testserver/"]
    assert not signed_in(client)


def test_the_admins_log_out_ends_the_session_at_the_provider_too(client, provider):
    _server, issuer = provider
    come_back(client, provider, id_token)
    response = client.post("/admin/logout/")
    assert response.url.startswith(f"{issuer}/session/end?")
    assert not signed_in(client)


def test_without_an_end_session_endpoint_signing_out_stays_here(client, provider, settings):
    server, issuer = provider
    come_back(client, provider, id_token)
    oidc._discovered[issuer].pop("end_session_endpoint")
    response = client.post("/en/accounts/logout/")
    assert response.url == "/en/"
    assert not signed_in(client)


def test_refused_platform_sign_ins_lock_nobody_out_of_the_platform(client, provider, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        come_back(client, provider, lambda issuer, nonce: id_token(issuer, nonce, aud="other"))
    response = come_back(client, provider, id_token)
    assert response.url == "/en/my/"
    assert signed_in(client)


def test_user_info_about_another_subject_is_refused(client, provider, settings):
    server, issuer = provider
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/me"
    server.expect_request("/op/me").respond_with_json(
        {"sub": "someone-else", "roles": ["reviewer"]}
    )
    response = come_back(client, provider, id_token)
    assert response.url == "/accounts/refused/"
    assert not signed_in(client)


def test_user_info_claims_add_to_the_id_tokens(client, provider, settings, department):
    server, issuer = provider
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/me"
    server.expect_request("/op/me").respond_with_json({"sub": "4403-0001", "roles": ["reviewer"]})
    come_back(client, provider, lambda issuer, nonce: id_token(issuer, nonce, roles=[]))
    user = get_user_model().objects.get(pk=signed_in(client))
    assert list(user.groups.values_list("name", flat=True)) == [roles.REVIEWER]


def test_an_id_token_that_is_not_a_token_at_all_is_refused(client, provider):
    response = come_back(client, provider, lambda issuer, nonce: "not.a-token")
    assert response.url == "/accounts/refused/"
    assert not signed_in(client)


def test_a_provider_clock_a_few_seconds_ahead_is_tolerated(client, provider):
    ahead = int(time.time()) + 20
    response = come_back(client, provider, lambda issuer, nonce: id_token(issuer, nonce, iat=ahead))
    assert response.url == "/en/my/"


def test_the_platforms_second_factor_counts_where_the_id_token_says_it_asked(
    client, provider, settings
):
    settings.TWO_FACTOR_ROLES = [roles.DATA_ENTRY]
    come_back(client, provider, lambda issuer, nonce: id_token(issuer, nonce, amr=["pwd", "otp"]))
    assert client.get("/my/").status_code == 200


def test_a_platform_sign_in_by_password_alone_is_asked_for_a_second_factor_here(
    client, provider, settings
):
    settings.TWO_FACTOR_ROLES = [roles.DATA_ENTRY]
    come_back(client, provider, lambda issuer, nonce: id_token(issuer, nonce, amr=["pwd"]))
    assert client.get("/my/")["Location"].startswith("/accounts/two-factor/")
