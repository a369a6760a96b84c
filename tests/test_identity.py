"""Who a person the identity platform signs in is here: the subject links to a local user,
the platform's codes decide roles and departments at every sign-in, the admin shows them
read-only, and local passwords (with their lockout) stay as they were.

The sign-in flows against real servers are in test_identity_oidc.py, test_identity_cas.py
and tests/browser/test_identity_story.py."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model

from identity.models import PlatformAccount, PlatformCode
from kpis import roles
from kpis.models import Department

OIDC = PlatformAccount.Provider.OIDC


def sign_in(subject="4403-0001", roles=("data_entry",), departments=("science",), **names):
    return PlatformAccount.objects.sign_in(
        OIDC,
        subject,
        username=names.pop("username", "li.wei"),
        role_codes=list(roles),
        department_codes=list(departments),
        **names,
    )


def group_names(user):
    return set(user.groups.values_list("name", flat=True))


@pytest.fixture
def oidc_configured(settings):
    settings.OIDC_OP_ISSUER = "https://idp.example.gov.cn"
    settings.OIDC_RP_CLIENT_ID = "tracker"
    settings.OIDC_PROVIDER_NAME = "粤政易"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "identity.oidc.PlatformOIDCBackend",
    ]


def test_a_department_code_in_the_claims_maps_to_that_department(department, other_department):
    user = sign_in(departments=["science"])
    assert list(user.departments.all()) == [department]


def test_a_platform_code_maps_through_the_admin_table(department):
    PlatformCode.objects.create(code="440311-KJJ", department=department)
    PlatformCode.objects.create(code="SHR", role=PlatformCode.Role.REVIEWER)
    user = sign_in(roles=["SHR"], departments=["440311-KJJ"])
    assert list(user.departments.all()) == [department]
    assert group_names(user) == {roles.REVIEWER}


def test_unknown_codes_give_neither_role_nor_department(department):
    user = sign_in(roles=["cleaner"], departments=["zoo"])
    assert group_names(user) == set()
    assert not user.departments.exists()
    assert not user.is_staff


def test_the_same_subject_signs_in_as_the_same_user_whatever_its_e_mail(department):
    first = sign_in(email="li.wei@old.example")
    again = sign_in(email="li.wei@new.example", username="renamed")
    assert again == first
    assert get_user_model().objects.count() == 1


def test_a_new_subject_is_never_joined_to_a_local_account_of_the_same_name(official):
    user = sign_in(subject="4403-0002", username="official")
    assert user != official
    assert user.username == "oidc-4403-0002"


def test_a_move_on_the_platform_moves_the_department_at_the_next_sign_in(
    department, other_department
):
    sign_in(departments=["science"])
    user = sign_in(departments=["industry"])
    assert list(user.departments.all()) == [other_department]


def test_a_role_taken_away_on_the_platform_is_taken_away_here(department):
    sign_in(roles=["data_entry", "reviewer"])
    user = sign_in(roles=["data_entry"])
    assert group_names(user) == {roles.DATA_ENTRY}


def test_role_changes_from_claims_are_logged(department, caplog):
    sign_in(roles=["data_entry"])
    with caplog.at_level("INFO", logger="identity"):
        sign_in(roles=["reviewer"])
    assert "roles of li.wei changed by the platform" in caplog.text
    assert roles.REVIEWER in caplog.text


def test_a_deactivated_local_user_is_refused_even_when_the_platform_signs_them_in(department):
    user = sign_in()
    user.is_active = False
    user.save()
    assert sign_in() is None


def test_a_code_must_map_to_a_department_or_a_role_not_both(department):
    from django.core.exceptions import ValidationError

    code = PlatformCode(code="X", department=department, role=PlatformCode.Role.REVIEWER)
    with pytest.raises(ValidationError):
        code.full_clean()


def test_the_login_page_offers_the_platform_when_it_is_configured(client, oidc_configured):
    page = client.get("/accounts/login/?next=/my/").content.decode()
    assert "使用统一身份认证登录 / Sign in with 粤政易" in page
    assert 'href="/oidc/authenticate/?next=/my/"' in page


def test_the_login_page_without_a_platform_offers_only_passwords(client, db):
    page = client.get("/en/accounts/login/").content.decode()
    assert "Sign in with" not in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/cas/login/").status_code == 404


def test_the_admin_login_page_offers_the_same_platform_sign_in(client, oidc_configured):
    page = client.get("/admin/login/?next=/admin/").content.decode()
    assert "Sign in with 粤政易" in page


def test_the_login_page_offers_cas_when_it_is_configured(client, settings, db):
    settings.CAS_SERVER_URL = "https://cas.example.gov.cn/cas/"
    settings.CAS_PROVIDER_NAME = "统一认证"
    page = client.get("/en/accounts/login/").content.decode()
    assert 'href="/cas/login/"' in page and "Sign in with 统一认证" in page


def test_someone_the_platform_gives_no_role_is_told_whom_to_ask(client, department):
    get_user_model().objects.create_superuser(
        "chen.admin", email="chen@example.gov.cn", password=None, first_name="陈"
    )
    client.force_login(sign_in(roles=[]))
    page = client.get("/en/accounts/no-role/").content.decode()
    assert "gives you no role in this tracker" in page
    assert "chen@example.gov.cn" in page


def test_the_admin_shows_a_platform_users_roles_and_departments_read_only(
    client, admin_user, department
):
    managed = sign_in()
    client.force_login(admin_user)
    page = client.get(f"/admin/auth/user/{managed.pk}/change/").content.decode()
    assert 'name="groups"' not in page
    assert "由统一身份认证平台在每次登录时决定" in page
    assert department.name in page


def test_the_admin_keeps_a_local_users_groups_editable(client, admin_user, official):
    client.force_login(admin_user)
    page = client.get(f"/admin/auth/user/{official.pk}/change/").content.decode()
    assert 'name="groups"' in page


def test_saving_a_department_in_the_admin_keeps_its_platform_members(
    client, admin_user, department, official
):
    managed = sign_in()
    client.force_login(admin_user)
    client.post(
        f"/admin/kpis/department/{department.pk}/change/",
        {"code": "science", "name": "科技创新局", "name_en": "Science", "members": [official.pk]},
    )
    assert set(Department.objects.get().members.all()) == {official, managed}


def test_local_passwords_are_still_locked_out_with_the_platform_configured(
    client, official, oidc_configured
):
    official.set_password("a-long-test-password-41")
    official.save()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post("/en/accounts/login/", {"username": "official", "password": "wrong"})
    response = client.post(
        "/en/accounts/login/", {"username": "official", "password": "a-long-test-password-41"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_local_password_signs_in_with_the_platform_configured(client, official, oidc_configured):
    official.set_password("a-long-test-password-41")
    official.save()
    response = client.post(
        "/en/accounts/login/", {"username": "official", "password": "a-long-test-password-41"}
    )
    assert response.url == "/en/my/"
    assert client.session["_auth_user_id"] == str(official.pk)


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("official", "/en/my/"),
        ("reviewer", "/en/my/"),
        ("manager", "/admin/"),
        ("admin_user", "/admin/"),
    ],
)
def test_signing_in_lands_each_role_where_its_work_is(client, request, persona, landing):
    user = request.getfixturevalue(persona)
    user.set_password("a-long-test-password-41")
    user.save()
    response = client.post(
        "/en/accounts/login/", {"username": user.username, "password": "a-long-test-password-41"}
    )
    assert response.url == landing


def test_someone_without_a_role_lands_on_the_page_that_says_whom_to_ask(client, department):
    get_user_model().objects.create_user("nobody", password="a-long-test-password-41")
    response = client.post(
        "/accounts/login/", {"username": "nobody", "password": "a-long-test-password-41"}
    )
    assert response.url == "/accounts/no-role/"


def test_my_updates_sends_someone_without_a_role_to_the_page_that_says_whom_to_ask(
    client, department
):
    client.force_login(get_user_model().objects.create_user("nobody"))
    response = client.get("/my/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/no-role/"


def test_the_platforms_sign_in_lands_a_manager_in_the_admin_unless_a_page_was_asked_for(db):
    from identity.landing import landing_url

    sign_in(subject="4403-0009", roles=["indicator_manager"], username="zhang.min")
    user = get_user_model().objects.get(username="zhang.min")
    assert (landing_url(user, "/my/"), landing_url(user, "/en/indicators/")) == (
        "/admin/",
        "/en/indicators/",
    )
