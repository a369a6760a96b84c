"""Two-factor sign-in: enrolment by a QR code this app draws (and the secret written out
for typing in), the one-time code at each sign-in, and recovery codes."""

import base64
import io

import segno
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import audit
from accounts.forms import TokenForm
from accounts.models import AuditRecord

RECOVERY_CODES = 10


def next_url(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse_lazy("my_updates")


def has_confirmed_device(user):
    return any(True for _device in devices_for_user(user, confirmed=True))


@never_cache
@login_required
def two_factor(request):
    """Ask for the code of the authenticator app, or a recovery code."""
    if not has_confirmed_device(request.user):
        return redirect(f"{reverse_lazy('two_factor_setup')}?{request.GET.urlencode()}")
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit(AuditRecord.Action.SECOND_FACTOR, object=type(device).__name__)
            return redirect(next_url(request))
        audit(AuditRecord.Action.SECOND_FACTOR, outcome=AuditRecord.Outcome.FAILURE)
        form.add_error("token", _("This code is not valid. Try the current one."))
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url(request)})


def unconfirmed_device(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False
    )


@never_cache
@login_required
def two_factor_setup(request):
    """Enrol an authenticator app: scan the code (or type the secret), then prove it with
    one code; the recovery codes are shown once."""
    if has_confirmed_device(request.user):
        return redirect("two_factor")
    device = unconfirmed_device(request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            codes = recovery_codes(request.user)
            otp_login(request, device)
            audit(AuditRecord.Action.TWO_FACTOR_ENROLMENT)
            context = {"codes": codes, "next": next_url(request)}
            return render(request, "accounts/recovery_codes.html", context)
        form.add_error("token", _("This code is not valid. Try the current one."))
    context = {
        "form": form,
        "secret": base64.b32encode(device.bin_key).decode(),
        "next": next_url(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


def recovery_codes(user):
    static = StaticDevice.objects.filter(user=user).first() or StaticDevice.objects.create(
        user=user, name=_("Recovery codes"), confirmed=True
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODES)]
    static.token_set.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@never_cache
@login_required
def two_factor_qr(request):
    """The QR code of the enrolment under way, as SVG served by the app (no CDN, no
    script); a confirmed device's secret is never shown again."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        raise Http404
    svg = io.BytesIO()
    segno.make(device.config_url, error="m").save(svg, kind="svg", scale=5, border=2)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        audit(AuditRecord.Action.PASSWORD_CHANGE, actor=self.request.user.get_username())
        return super().form_valid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
