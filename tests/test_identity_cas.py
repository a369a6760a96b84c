"""CAS sign-in against the CAS server of scripts/cas_server.py on loopback."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from kpis import roles
from tests import identity_providers

cas_server = identity_providers.cas_server


@pytest.fixture(autouse=True)
def plain_client_host(settings):
    settings.ALLOWED_HOSTS = ["testserver"]


def sign_in_through_cas_url(client, user):
    """Start at the tracker and sign in at the CAS server: the address it sends back to."""
    to_cas = client.get("/cas/login/", {"next": "/en/my/"})
    service = dict(part.split("=", 1) for part in urlparse(to_cas.url).query.split("&"))
    back = requests.post(
        to_cas.url.split("?")[0],
        data={"username": user, "service": requests.utils.unquote(service["service"])},
        allow_redirects=False,
        timeout=10,
    )
    return back.headers["Location"]


def sign_in_through_cas(client, user):
    """Start at the tracker, sign in at the CAS server, come back with the ticket."""
    return client.get(sign_in_through_cas_url(client, user).removeprefix("http://testserver"))


def signed_in_user(client):
    return get_user_model().objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_cas_attributes_make_a_data_entry_official_of_the_department(
    client, cas_server, department
):
    cas_server.set("li.wei", roles="data_entry", dept_codes="science")
    response = sign_in_through_cas(client, "li.wei")
    user = signed_in_user(client)
    assert response.url == "/en/my/"
    assert list(user.departments.all()) == [department]
    assert list(user.groups.values_list("name", flat=True)) == [roles.DATA_ENTRY]


def test_a_changed_cas_attribute_moves_the_official_at_the_next_sign_in(
    client, cas_server, department, other_department
):
    cas_server.set("li.wei", roles="data_entry", dept_codes="science")
    sign_in_through_cas(client, "li.wei")
    client.logout()
    cas_server.set("li.wei", roles="data_entry", dept_codes="industry")
    sign_in_through_cas(client, "li.wei")
    assert list(signed_in_user(client).departments.all()) == [other_department]


def test_several_cas_role_values_give_several_roles(client, cas_server, db):
    cas_server.set("wang.fang", roles=["data_entry", "reviewer"])
    sign_in_through_cas(client, "wang.fang")
    groups = set(signed_in_user(client).groups.values_list("name", flat=True))
    assert groups == {roles.DATA_ENTRY, roles.REVIEWER}


def test_a_ticket_the_cas_server_does_not_know_is_refused(client, cas_server, db):
    response = client.get("/cas/login/", {"ticket": "ST-made-up", "next": "/en/my/"})
    assert response.url == "/accounts/refused/"
    assert signed_in_user(client) is None


def test_a_deactivated_local_user_is_refused_although_cas_signs_them_in(client, cas_server, db):
    cas_server.set("li.wei", roles="data_entry", dept_codes="science")
    sign_in_through_cas(client, "li.wei")
    get_user_model().objects.filter(username="li.wei").update(is_active=False)
    client.logout()
    response = sign_in_through_cas(client, "li.wei")
    assert response.url == "/accounts/refused/"
    assert signed_in_user(client) is None


def test_signing_out_of_a_cas_session_signs_out_of_the_cas_server_too(client, cas_server, db):
    cas_server.set("li.wei", roles="data_entry", dept_codes="science")
    sign_in_through_cas(client, "li.wei")
    response = client.post("/accounts/logout/")
    assert response.url.startswith(f"{settings.CAS_SERVER_URL}logout?")
    assert signed_in_user(client) is None


def test_refused_cas_tickets_lock_nobody_out_of_cas(client, cas_server, db):
    cas_server.set("li.wei", roles="data_entry", dept_codes="science")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.get("/cas/login/", {"ticket": "ST-made-up", "next": "/en/my/"})
    response = sign_in_through_cas(client, "li.wei")
    assert response.url == "/en/my/"
    assert signed_in_user(client).username == "li.wei"


def test_the_cas_servers_single_logout_ends_the_session_here(client, cas_server, db):
    cas_server.set("li.wei", roles="data_entry", dept_codes="science")
    back = sign_in_through_cas_url(client, "li.wei")
    client.get(back.removeprefix("http://testserver"))
    ticket = parse_qs(urlparse(back).query)["ticket"][0]
    logout_request = (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="1" Version="2.0" '
        'IssueInstant="2026-12-01T10:00:00Z"><saml:NameID>li.wei</saml:NameID>'
        f"<samlp:SessionIndex>{ticket}</samlp:SessionIndex></samlp:LogoutRequest>"
    )
    # The CAS server posts without a CSRF token, as it must.
    Client(enforce_csrf_checks=True).post("/cas/login/", {"logoutRequest": logout_request})
    assert client.get("/en/my/").url.startswith("/en/accounts/login/")
