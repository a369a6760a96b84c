from django.conf import settings
from django.urls import reverse
from django.utils import translation

from identity.models import has_a_role


def landing_url(user, wanted):
    """Where the platform's sign-in lands: the page asked for, or, for someone the platform
    gives no role here, the page that says whom to ask, in the language of the page asked
    for."""
    if has_a_role(user):
        return wanted
    language = translation.get_language_from_path(wanted) or settings.LANGUAGE_CODE
    with translation.override(language):
        return reverse("no_role")


def signed_out_url(request):
    """Where the platform sends the browser back after its logout: the public page, always
    at the one address registered with the platform (no language prefix)."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
