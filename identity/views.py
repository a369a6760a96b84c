import logging

import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect, render

from identity import cas, oidc
from identity.landing import work_url

log = logging.getLogger(__name__)

PROVIDER_LOGOUT = {
    "identity.oidc.PlatformOIDCBackend": oidc.provider_logout_url,
    "identity.cas.PlatformCASBackend": cas.provider_logout_url,
}


def sign_in_options():
    """The platforms configured here, as (sign-in URL name, platform name)."""
    options = []
    if oidc.enabled():
        options.append(("oidc_authentication_init", settings.OIDC_PROVIDER_NAME))
    if cas.enabled():
        options.append(("cas_ng_login", settings.CAS_PROVIDER_NAME))
    return options


@login_required
def no_role(request):
    """For someone the platform signed in but gave no role here: whom to ask."""
    administrators = get_user_model().objects.filter(is_superuser=True, is_active=True)
    context = {
        "administrators": administrators.order_by("username"),
        "departments": request.user.departments.all(),
    }
    return render(request, "identity/no_role.html", context)


def refused(request):
    return render(request, "identity/refused.html", status=403)


class SignInView(auth_views.LoginView):
    """The local sign-in: to the page asked for, else to where the user's work is."""

    def get_default_redirect_url(self):
        return work_url(self.request.user)


class SignOutView(auth_views.LogoutView):
    """Signs out here and, where the platform supports it, there too."""

    def post(self, request, *args, **kwargs):
        provider_logout = PROVIDER_LOGOUT.get(request.session.get(BACKEND_SESSION_KEY))
        platform_url = None
        if provider_logout:
            # The platform's logout address may need its discovery document: with the
            # platform unreachable, the session still ends here.
            try:
                platform_url = provider_logout(request)
            except (requests.RequestException, ValueError, ImproperlyConfigured) as failure:
                log.warning("identity: the platform's logout is unreachable: %s", failure)
        response = super().post(request, *args, **kwargs)
        return redirect(platform_url) if platform_url else response
