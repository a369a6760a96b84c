"""The session's controls, in the order a request meets them: the idle timeout, a
password past its age, a second factor not yet given; and the break-glass superuser's
every request recorded. Each is off while its setting is 0 or empty (docs/deploy.md)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.audit import audit, request_actor, request_address
from accounts.models import AuditRecord, PasswordAge
from accounts.receivers import PLATFORM_SECOND_FACTOR
from tracker.proxies import client_ip

LAST_SEEN = "accounts_last_seen"
# Pages a user who owes a second factor or a new password may still reach.
OPEN_PAGES = {
    "two_factor",
    "two_factor_setup",
    "two_factor_qr",
    "password_change",
    "password_change_done",
    "login",
    "logout",
    "set_language",
    "javascript-catalog",
}


def needs_second_factor(user):
    roles = settings.TWO_FACTOR_ROLES
    if not roles or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=roles).exists()


def has_second_factor(request):
    return request.user.is_verified() or request.session.get(PLATFORM_SECOND_FACTOR, False)


def is_open(request):
    if request.path_info.startswith(("/static/", "/admin/logout/", "/oidc/", "/cas/")):
        return True
    try:
        return resolve(request.path_info).url_name in OPEN_PAGES
    except Resolver404:
        return False


def to(url_name, request):
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


class AccountControlsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Who and from where, for whatever this request records; forgotten after it, so
        # that nothing later in this thread is put down to them.
        address = request_address.set(client_ip(request) or "")
        actor = request_actor.set(
            request.user.get_username() if request.user.is_authenticated else ""
        )
        try:
            return self.respond(request)
        finally:
            request_address.reset(address)
            request_actor.reset(actor)

    def respond(self, request):
        if request.user.is_authenticated:
            refusal = self.refusal(request)
            if refusal:
                return refusal
        response = self.get_response(request)
        # The superuser is a break-glass account: whatever it does, reading included.
        if request.user.is_superuser:
            audit(
                AuditRecord.Action.SUPERUSER_ACTION,
                actor=f"{request.user.get_username()} (superuser)",
                object=f"{request.method} {request.path}"[:300],
                outcome="success" if response.status_code < 400 else "failure",
            )
        return response

    def refusal(self, request):
        now = time.time()
        if settings.IDLE_MINUTES:
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.IDLE_MINUTES * 60:
                audit(AuditRecord.Action.SESSION_ENDED, object="idle timeout")
                logout(request)
                messages.info(request, _("You were signed out after a time without activity."))
                return to("login", request)
            # Written at most once a minute: a session save on every request costs a write.
            if now - last_seen >= 60 or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
        if is_open(request):
            return None
        user = request.user
        if (
            settings.PASSWORD_MAX_AGE_DAYS
            and user.has_usable_password()
            and PasswordAge.expired(user, timezone.now())
        ):
            messages.info(request, _("Your password is too old: choose a new one to go on."))
            return to("password_change", request)
        if needs_second_factor(user) and not has_second_factor(request):
            return to("two_factor", request)
        return None
