from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import translation

from identity.models import has_a_role


def landing_url(user, wanted):
    """Where the platform's sign-in lands: the page asked for (where none was, where the
    user's work is: `work_url`), or, for someone the platform gives no role here, the page
    that says whom to ask, in the language of the page asked for."""
    language = translation.get_language_from_path(wanted) or settings.LANGUAGE_CODE
    if has_a_role(user) and wanted != resolve_url(settings.LOGIN_REDIRECT_URL):
        return wanted
    with translation.override(language):
        return work_url(user)


def work_url(user):
    """Where a user's work is, in the active language: officials' and reviewers' work
    list and queue on /my/, the admin for indicator managers and administrators, and for
    someone without a role here the page that says whom to ask."""
    if not has_a_role(user):
        return reverse("no_role")
    if not user.is_superuser and (
        user.has_perm("kpis.add_actual") or user.has_perm("kpis.review_actual")
    ):
        return reverse("my_updates")
    return reverse("admin:index")


def signed_out_url(request):
    """Where the platform sends the browser back after its logout: the public page, always
    at the one address registered with the platform (no language prefix)."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
