from django.urls import reverse

from identity.models import has_a_role


def landing_url(user, wanted):
    """Where the platform's sign-in lands: the page asked for, or, for someone the platform
    gives no role here, the page that says whom to ask."""
    return wanted if has_a_role(user) else reverse("no_role")
