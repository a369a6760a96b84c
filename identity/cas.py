"""CAS 2.0/3.0 sign-in through django-cas-ng, for platforms that speak CAS.

django-cas-ng's own backend makes users by the CAS user name and maps groups as it finds
them; ours links the CAS user (the platform's stable subject) to a local user and applies
the role and department attributes the way OpenID Connect claims are applied.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django_cas_ng.backends import CASBackend
from django_cas_ng.utils import get_cas_client
from django_cas_ng.views import LoginView

from identity.landing import landing_url, signed_out_url
from identity.models import PlatformAccount, claimed_codes

log = logging.getLogger(__name__)


def enabled():
    return bool(settings.CAS_SERVER_URL)


class PlatformCASBackend(CASBackend):
    def authenticate(self, request, ticket, service):
        if not enabled():
            return None
        client = get_cas_client(service_url=service, request=request)
        subject, attributes, _proxy_ticket = client.verify_ticket(ticket)
        if not subject:
            log.warning("identity: CAS sign-in refused: the ticket did not validate")
            return None
        attributes = attributes or {}
        return PlatformAccount.objects.sign_in(
            PlatformAccount.Provider.CAS,
            subject,
            username=subject,
            role_codes=claimed_codes(attributes.get(settings.CAS_ATTRIBUTE_ROLES)),
            department_codes=claimed_codes(attributes.get(settings.CAS_ATTRIBUTE_DEPARTMENTS)),
            first_name=str(attributes.get("name") or "")[:150],
            email=str(attributes.get("email") or ""),
        )


class SignInView(LoginView):
    # The CAS server's single-logout request is posted here without a CSRF token.
    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("CAS sign-in is not configured")
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            # A ticket that did not validate, or a user deactivated here.
            return redirect("sign_in_refused")

    def get(self, request):
        # django-cas-ng builds the service address from `next` and would carry it through
        # the platform's sign-in: drop an address off this site before it does.
        if not on_this_site(request, request.GET.get("next")):
            query = request.GET.copy()
            query.pop("next", None)
            request.GET = query
        return super().get(request)

    def successful_login(self, request, next_page):
        # `next`, or the Referer where there is none: only an address on this site.
        if not on_this_site(request, next_page):
            next_page = resolve_url(settings.CAS_REDIRECT_URL)
        return super().successful_login(request, landing_url(request.user, next_page))


def on_this_site(request, url):
    """Whether `url` is absent or an address on this site (never another host, and never
    `//host` or `/\\host`, which browsers take for another host)."""
    return not url or url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def provider_logout_url(request):
    """The CAS server's logout, which comes back to the public page."""
    return get_cas_client(request=request).get_logout_url(signed_out_url(request))
