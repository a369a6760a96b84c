"""What every sign-in, sign-out and change of membership does, whichever path made it."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from accounts.audit import audit
from accounts.models import AccountSession, AuditRecord
from accounts.roles import separation_refusal
from tracker.proxies import client_ip

# Set by identity/oidc.py on the user it signs in when the platform's token says it asked
# for a second factor; copied into the session here.
PLATFORM_SECOND_FACTOR = "platform_second_factor"


def session_store():
    return import_string(settings.SESSION_ENGINE).SessionStore


def signed_in(sender, request, user, **kwargs):
    address = client_ip(request) if request is not None else ""
    actor = f"{user.get_username()} (superuser)" if user.is_superuser else user.get_username()
    audit(AuditRecord.Action.SIGN_IN, actor=actor, address=address)
    if request is None or not isinstance(getattr(request, "session", None), SessionBase):
        return
    if getattr(user, PLATFORM_SECOND_FACTOR, False):
        request.session[PLATFORM_SECOND_FACTOR] = True
    # Every session is known by its account, so that signing out ends them all.
    request.session.save()
    AccountSession.objects.get_or_create(user=user, session_key=request.session.session_key)
    if settings.MAX_SESSIONS:
        end_sessions(user, keep=settings.MAX_SESSIONS)


def end_sessions(user, keep=0):
    """End all but the `keep` newest sessions of `user`, wherever they are."""
    sessions = AccountSession.objects.filter(user=user).order_by("-started_at", "-pk")
    ended = list(sessions[keep:]) if keep else list(sessions)
    store = session_store()
    for session in ended:
        store(session.session_key).delete()
    AccountSession.objects.filter(pk__in=[session.pk for session in ended]).delete()
    return len(ended)


def signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    audit(AuditRecord.Action.SIGN_OUT, actor=user.get_username())
    # Signing out ends the account's sessions everywhere, not only in this browser.
    end_sessions(user)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    address = client_ip(request) if request is not None else ""
    audit(
        AuditRecord.Action.SIGN_IN,
        actor=credentials.get("username", ""),
        address=address,
        outcome=AuditRecord.Outcome.FAILURE,
    )


def groups_changing(sender, instance, action, reverse, model, pk_set, **kwargs):
    """No account holds two of the three administrator roles; every change is logged."""
    if action == "pre_add":
        if reverse:  # group.user_set.add(users)
            users = get_user_model().objects.filter(pk__in=pk_set)
            pairs = [(user, [instance.name]) for user in users]
        else:
            pairs = [(instance, Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))]
        for user, added in pairs:
            held = list(user.groups.values_list("name", flat=True))
            refusal = separation_refusal(held + list(added))
            if refusal:
                # Nothing recorded: the refusal rolls back the transaction it is in.
                raise ValidationError(refusal)
    if action in {"post_add", "post_remove", "post_clear"}:
        sign = {"post_add": "+", "post_remove": "-", "post_clear": "- all"}[action]
        if reverse:
            named = get_user_model().objects.filter(pk__in=pk_set or []).values_list("username")
        else:
            named = Group.objects.filter(pk__in=pk_set or []).values_list("name")
        names = ", ".join(name for (name,) in named)
        audit(AuditRecord.Action.ROLE_CHANGE, object=f"{instance}: {sign} {names}".strip())


def permissions_changing(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        sign = {"post_add": "+", "post_remove": "-", "post_clear": "- all"}[action]
        audit(
            AuditRecord.Action.PERMISSION_CHANGE,
            object=f"{instance}: {sign} {len(pk_set or [])}",
        )


HISTORY_CHANGES = {"+": "created", "~": "changed", "-": "deleted"}


def history_recorded(sender, instance, history_instance, **kwargs):
    """Every change of a target, by any path (admin, import, the document page): the
    change history of kpis.Target is where they all meet."""
    if instance._meta.label != "kpis.Target":
        return
    change = HISTORY_CHANGES.get(history_instance.history_type, "")
    audit(
        AuditRecord.Action.TARGET_CHANGE,
        actor=getattr(history_instance.history_user, "username", "") or "",
        object=f"kpis.Target {instance.pk} {change}: {instance}",
    )


def imported(sender, model, **kwargs):
    audit(AuditRecord.Action.IMPORT, object=model._meta.label)


def exported(sender, model, **kwargs):
    audit(AuditRecord.Action.EXPORT, object=model._meta.label)
