"""The platforms' addresses are outside the language prefix: the platform is registered with
one callback URL (`/oidc/callback/`, `/cas/login/`)."""

from django.urls import path

from identity import cas, oidc, views

oidc_patterns = [
    path("authenticate/", oidc.SignInView.as_view(), name="oidc_authentication_init"),
    path("callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
]
cas_patterns = [
    path("login/", cas.SignInView.as_view(), name="cas_ng_login"),
]
page_patterns = [
    path("accounts/no-role/", views.no_role, name="no_role"),
    path("accounts/refused/", views.refused, name="sign_in_refused"),
]
