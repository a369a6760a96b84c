"""A minimal CAS 2.0/3.0 server on loopback for the sign-in tests (tests/test_identity_cas.py).

    python scripts/cas_server.py PORT USERS.json

USERS.json maps a CAS user name to its attributes, e.g. {"li.wei": {"roles": ["data_entry"],
"dept_codes": ["science"]}}; it is read again at every ticket validation, so a test can change
a person's attributes between two sign-ins. Any password is accepted: the tests are about
what the tracker does with the server's answer, not about the server's passwords.
Endpoints: /login (a form, then a redirect to the service with a one-time ticket),
/serviceValidate (CAS 2.0), /p3/serviceValidate (CAS 3.0, with attributes), /logout.
"""

import html
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

TICKETS = {}  # ticket -> (user, service), each valid once


def cas_response(body):
    return (
        f'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">{body}</cas:serviceResponse>'
    )


def success(user, attributes):
    values = "".join(
        f"<cas:{name}>{html.escape(str(value))}</cas:{name}>"
        for name, value_or_list in attributes.items()
        for value in (value_or_list if isinstance(value_or_list, list) else [value_or_list])
    )
    return cas_response(
        "<cas:authenticationSuccess>"
        f"<cas:user>{html.escape(user)}</cas:user><cas:attributes>{values}</cas:attributes>"
        "</cas:authenticationSuccess>"
    )


class CASHandler(BaseHTTPRequestHandler):
    users_file = None

    def do_GET(self):
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/login":
            self.login_form(query.get("service", ""))
        elif url.path in ("/serviceValidate", "/p3/serviceValidate"):
            self.validate(query.get("ticket", ""), query.get("service", ""))
        elif url.path == "/logout":
            self.respond(
                200, "text/html", "<!doctype html><title>CAS</title><h1>Signed out of CAS</h1>"
            )
        else:
            self.respond(404, "text/plain", "not found")

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        user, service = form.get("username", [""])[0], form.get("service", [""])[0]
        if not user or not service:
            return self.login_form(service)
        ticket = f"ST-{secrets.token_urlsafe(16)}"
        TICKETS[ticket] = (user, service)
        separator = "&" if "?" in service else "?"
        self.send_response(302)
        self.send_header("Location", f"{service}{separator}{urlencode({'ticket': ticket})}")
        self.end_headers()

    def login_form(self, service):
        self.respond(
            200,
            "text/html",
            "<!doctype html><title>CAS sign-in</title><h1>CAS sign-in</h1>"
            '<form method="post" action="/login">'
            f'<input type="hidden" name="service" value="{html.escape(service)}">'
            '<label>CAS user <input name="username"></label>'
            '<label>CAS password <input name="password" type="password"></label>'
            '<button type="submit">Sign in to CAS</button></form>',
        )

    def validate(self, ticket, service):
        user, issued_for = TICKETS.pop(ticket, (None, None))
        if user is None or issued_for != service:
            body = cas_response(
                '<cas:authenticationFailure code="INVALID_TICKET">'
                f"Ticket {html.escape(ticket)} not recognised</cas:authenticationFailure>"
            )
        else:
            with open(self.users_file, encoding="utf-8") as users:
                body = success(user, json.load(users).get(user, {}))
        self.respond(200, "application/xml", body)

    def respond(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format, *args):
        sys.stderr.write("cas: " + format % args + "\n")


if __name__ == "__main__":
    port, CASHandler.users_file = int(sys.argv[1]), sys.argv[2]
    server = ThreadingHTTPServer(("127.0.0.1", port), CASHandler)
    print(f"listening on {port}", flush=True)
    server.serve_forever()
