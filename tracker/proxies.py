"""Who the client is behind the proxies a deployment trusts (DJANGO_PROXY_COUNT)."""

from django.conf import settings


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind DJANGO_PROXY_COUNT trusted proxies the
    address the outermost of them saw (never a value the client could have typed itself)."""
    proxies = settings.PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
