from django import template

from identity.views import sign_in_options

register = template.Library()


@register.inclusion_tag("identity/_sign_in_options.html")
def platform_sign_in(next_url=""):
    """A button per identity platform configured here; nothing without one."""
    return {"options": sign_in_options(), "next": next_url}
