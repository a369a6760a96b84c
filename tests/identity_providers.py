"""Real identity providers on loopback for the sign-in tests: the `oidc-provider` package
from npm run by Node (scripts/oidc/provider.mjs) and the CAS server of scripts/cas_server.py.
Each fixture starts its server as a process and stops it by its pid."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from identity import oidc
from kpis import roles

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
CLIENT_ID = "guangming-tracker"
CLIENT_SECRET = "a-client-secret-for-the-tests"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class People:
    """The people a test provider knows, kept in a JSON file the server reads at each sign-in."""

    def __init__(self, path, wrap=lambda people: people):
        self.path, self.wrap, self.people = path, wrap, {}

    def set(self, login, **claims):
        self.people[login] = claims
        self.path.write_text(json.dumps(self.wrap(self.people)), encoding="utf-8")


def with_role_groups():
    """Transactional tests (the browser's live server) flush the groups the data migration
    made; put them back the way the migration does, as a deployment has them."""
    if not Group.objects.exists():
        roles.sync_roles(apps)


def allow_form_action(settings, origin):
    """What tracker/settings.py does for a platform named in the environment."""
    policy = settings.CONTENT_SECURITY_POLICY
    directives = {**policy["DIRECTIVES"]}
    directives["form-action"] = [*directives["form-action"], origin]
    settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}


def run_server(command):
    """Start a server and wait for its "listening on" line; stop it by pid afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    line = process.stdout.readline()
    if not line.startswith("listening on"):
        process.kill()
        raise RuntimeError(f"{command[0]} did not start: {line!r}")
    return process


def stop(process):
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def oidc_provider(tmp_path, live_server, settings, monkeypatch):
    """The npm `oidc-provider` with this test's live server registered as its client, and
    the tracker configured for it as a deployment would be (issuer, client, discovery)."""
    with_role_groups()
    port = free_port()
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{live_server.url}/oidc/callback/"],
        "post_logout_redirect_uris": [f"{live_server.url}/"],
    }
    people = People(tmp_path / "oidc.json", lambda accounts: {**config, "accounts": accounts})
    people.set("nobody")
    process = run_server(["node", str(SCRIPTS / "oidc" / "provider.mjs"), str(port), people.path])
    settings.OIDC_OP_ISSUER = f"http://127.0.0.1:{port}"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test platform"
    allow_form_action(settings, settings.OIDC_OP_ISSUER)
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "identity.oidc.PlatformOIDCBackend",
    ]
    monkeypatch.setattr(oidc, "_discovered", {})
    yield people
    stop(process)


@pytest.fixture
def cas_server(tmp_path, settings, db):
    """The CAS server of scripts/cas_server.py, and the tracker configured for it."""
    with_role_groups()
    port = free_port()
    people = People(tmp_path / "cas.json")
    people.set("nobody")
    process = run_server([sys.executable, str(SCRIPTS / "cas_server.py"), str(port), people.path])
    settings.CAS_SERVER_URL = f"http://127.0.0.1:{port}/"
    settings.CAS_PROVIDER_NAME = "Test CAS"
    allow_form_action(settings, f"http://127.0.0.1:{port}")
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "identity.cas.PlatformCASBackend",
    ]
    yield people
    stop(process)
