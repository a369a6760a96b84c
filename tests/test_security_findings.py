"""The fifteen findings of the security review of issue #28, one test (or a few) each,
reproduced as an attacker or an insider would try them."""

import datetime
import io
import re
import tempfile
import time
import zipfile
from decimal import Decimal

import docx
import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from identity import oidc
from kpis.extraction import extract
from kpis.models import Actual, Bulletin, Indicator, Source, Target
from reports import bulletins
from tests.identity_providers import free_port
from tests.test_import import XLSX, confirm_form, csv_file, dry_run, shown, xlsx_file
from tests.test_target_import import TARGET_COLUMNS

OIDC_BACKEND = "identity.oidc.PlatformOIDCBackend"
JANUARY = datetime.date(2025, 1, 20)


def paste(client, text, title="年度报告"):
    """A document given to the admin's extraction page, as pasted text."""
    data = {"title": title, "publisher": "光明区人民政府", "published_on": JANUARY, "text": text}
    return client.post("/admin/kpis/source/extract/", data)


def decide(client, source, quoted, action, code="synbio-valuation", **fields):
    """Press a row's button on the review page: the row of the figure starting `quoted`."""
    prefix = str(source.text.index(quoted))
    data = {"year": 2025, "value": "500", "qualifier": "over", "change_reason": ""} | fields
    data = {f"{prefix}-{key}": value for key, value in data.items()}
    data |= {
        f"{prefix}-figure_start": prefix,
        f"{prefix}-indicator": Indicator.objects.get(code=code).pk,
    }
    return client.post(
        f"/admin/kpis/source/{source.pk}/review/", {**data, "row": prefix, "action": action}
    )


@pytest.fixture
def manager_client(manager):
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def indicator(make_indicator, department):
    return make_indicator(target="100", department=department)


@pytest.fixture
def cas_enabled(settings):
    settings.CAS_SERVER_URL = "https://cas.example.gov.cn/cas/"
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.fixture
def oidc_enabled(settings):
    settings.OIDC_OP_ISSUER = f"http://127.0.0.1:{free_port()}"
    settings.OIDC_RP_CLIENT_ID = "tracker"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, OIDC_BACKEND]
    yield
    oidc._discovered.clear()


# --- 1. CAS sign-in redirects only within the site ------------------------------------------


@pytest.mark.parametrize(
    "address", ["https://phish.example/login", "//phish.example/", "/\\phish.example/"]
)
def test_cas_sign_in_never_sends_the_user_to_another_site_named_in_next(
    client, cas_enabled, official, address
):
    client.force_login(official)
    response = client.get("/cas/login/", {"next": address})
    assert response.status_code == 302
    assert "phish.example" not in response["Location"]


def test_cas_sign_in_never_sends_the_user_to_the_site_named_in_the_referer(
    client, cas_enabled, official
):
    client.force_login(official)
    response = client.get("/cas/login/", HTTP_REFERER="https://phish.example/login")
    assert response["Location"] == "/my/"


def test_cas_sign_in_still_follows_a_next_address_on_this_site(client, cas_enabled, official):
    client.force_login(official)
    assert client.get("/cas/login/", {"next": "/en/my/"})["Location"] == "/en/my/"


# --- 2. A person deactivated here is signed out of an open platform session ------------------


def test_an_open_oidc_session_of_a_person_deactivated_here_ends_on_the_next_request(
    client, oidc_enabled, official
):
    client.force_login(official, backend=OIDC_BACKEND)
    assert client.get("/en/my/").status_code == 200
    get_user_model().objects.filter(pk=official.pk).update(is_active=False)
    response = client.get("/en/my/")
    assert response["Location"].startswith("/en/accounts/login/")


# --- 11. Signing out while the platform is unreachable -----------------------------------------


def test_signing_out_with_the_oidc_provider_unreachable_ends_the_session_here(
    client, oidc_enabled, official
):
    client.force_login(official, backend=OIDC_BACKEND)
    response = client.post("/en/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, "/en/")
    assert BACKEND_SESSION_KEY not in client.session
    assert client.get("/en/my/")["Location"].startswith("/en/accounts/login/")


# --- 14. The no-role page names an office, not login names ---------------------------------------


def test_the_no_role_page_does_not_show_the_superusers_login_names(client, department):
    get_user_model().objects.create_superuser("root-7f3a", email="", password=None)
    get_user_model().objects.create_superuser(
        "chen-admin-login", email="chen@example.gov.cn", password=None, first_name="陈"
    )
    client.force_login(get_user_model().objects.create_user("nobody", password=None))
    page = client.get("/en/accounts/no-role/").content.decode()
    assert "root-7f3a" not in page and "chen-admin-login" not in page
    assert "System administrator" in page and "chen@example.gov.cn" in page


# --- 8. The public cache keys only known values, and only for readers without a session ------


def cached_entries():
    """The pages in the local-memory cache of the tests."""
    return sum(":public:" in key for key in cache._cache)


def test_made_up_sort_values_add_nothing_to_the_public_cache(anonymous, indicator):
    anonymous.get("/en/")
    before = cached_entries()
    for probe in ("probe1", "probe2", "-probe3"):
        assert anonymous.get(f"/en/?sort={probe}").status_code in (200, 404)
    assert cached_entries() == before


def test_made_up_theme_and_department_codes_are_not_found_and_not_cached(anonymous, indicator):
    anonymous.get("/en/")
    before = cached_entries()
    for address in ("/en/?theme=probe1", "/en/?department=probe2", "/en/tasks/?theme=probe3"):
        assert anonymous.get(address).status_code == 404
    assert cached_entries() == before


def test_a_page_beyond_the_last_is_not_found_and_not_cached(anonymous, indicator):
    anonymous.get("/en/")
    before = cached_entries()
    assert anonymous.get("/en/?page=1001").status_code == 404
    assert anonymous.get("/en/tasks/?page=1001").status_code == 404
    assert cached_entries() == before


def test_a_known_sort_is_still_served_from_the_cache(anonymous, indicator):
    anonymous.get("/en/?sort=-status")
    with CaptureQueriesContext(connection) as queries:
        anonymous.get("/en/?sort=-status")
    assert len(queries) == 1


def test_a_session_cookie_of_no_session_does_not_bypass_the_cache(anonymous, indicator):
    anonymous.get("/en/")
    anonymous.cookies["sessionid"] = "made-up-session-key"
    with CaptureQueriesContext(connection) as queries:
        anonymous.get("/en/")
    assert len(queries) <= 2  # the data version (and the session looked up), no page built


def test_per_page_in_the_address_is_not_honoured(anonymous, make_indicator, department):
    for _ in range(60):
        make_indicator(target="100", department=department)
    page = anonymous.get("/en/?year=2024&per_page=100000").content.decode()
    assert page.count('data-label="Status"') == 50


# --- 15. Sorting by status reveals nothing of what was just saved --------------------------------


def names_in_status_order(client):
    page = client.get("/en/?year=2024&sort=status").content.decode()
    return re.findall(r">(Indicator \d+)<", page)


def test_sorting_by_status_breaks_ties_by_the_public_order_not_by_the_last_save(
    anonymous, make_indicator, make_actual, department
):
    indicators = [make_indicator(target="100", department=department) for _ in range(3)]
    before = names_in_status_order(anonymous)
    make_actual(indicators[0], value="5", status=Actual.Status.DRAFT)
    assert names_in_status_order(anonymous) == before == [i.name_en for i in indicators]


# --- 9. An internal indicator stays off the public task page ------------------------------------


@pytest.fixture
def task(make_task, department):
    return make_task(department=department, code="seed-fund")


def test_a_public_task_page_does_not_name_or_link_an_internal_indicator(
    anonymous, task, make_indicator
):
    shown = make_indicator(name_en="Patents granted")
    internal = make_indicator(name_en="Internal audit backlog", is_public=False)
    task.indicators.add(shown, internal)
    page = anonymous.get(f"/en{task.get_absolute_url()}").content.decode()
    assert "Patents granted" in page
    assert "Internal audit backlog" not in page and internal.code not in page


# --- 10. Each due-date move is published with its own reason ------------------------------------


def move_due(milestone, official, reviewer, due, reason):
    milestone.due, milestone.due_change_reason = due, reason
    milestone.record_entry(official)
    milestone.submit(official)
    milestone.save()
    milestone.publish(reviewer)
    milestone.save()


def test_a_second_due_date_move_is_not_published_with_the_first_moves_reason(
    official, reviewer, task, make_milestone
):
    milestone = make_milestone(task, due=datetime.date(2024, 6, 30), entered_by=official)
    move_due(milestone, official, reviewer, datetime.date(2024, 9, 30), "用地调整")
    with pytest.raises(ValidationError):
        move_due(milestone, official, reviewer, datetime.date(2024, 12, 31), "用地调整")


def test_each_due_date_move_is_shown_with_its_own_reason(
    anonymous, official, reviewer, task, make_milestone
):
    milestone = make_milestone(task, due=datetime.date(2024, 6, 30), entered_by=official)
    move_due(milestone, official, reviewer, datetime.date(2024, 9, 30), "用地调整")
    move_due(milestone, official, reviewer, datetime.date(2024, 12, 31), "设备延期到货")
    changes = [(c["published_due"], c["due_change_reason"]) for c in task.due_date_changes()]
    assert changes == [
        (datetime.date(2024, 12, 31), "设备延期到货"),
        (datetime.date(2024, 9, 30), "用地调整"),
    ]


# --- 5. "Accept as draft" goes through the workflow's door --------------------------------------


def test_accepting_as_draft_does_not_rewrite_a_figure_waiting_for_review(
    article, admin_user, official
):
    indicator = Indicator.objects.get(code="srdi-enterprises")
    waiting = Actual.objects.create(
        indicator=indicator,
        period_end=datetime.date(2024, 12, 31),
        value=Decimal("700"),
        status=Actual.Status.SUBMITTED,
        entered_by=official,
    )
    client = Client()
    client.force_login(admin_user)
    paste(client, "2024年全区专精特新企业增至800家。")
    source = Source.objects.get(title="年度报告")
    fields = {"year": 2024, "value": "800", "qualifier": "reach"}
    decide(client, source, "增至800", "draft", code="srdi-enterprises", **fields)
    waiting.refresh_from_db()
    assert (waiting.value, waiting.status, waiting.entered_by) == (700, "submitted", official)


# --- 6. One set of target rules for the admin, the targets import and the extraction page ------


@pytest.fixture
def managing(client, manager):
    client.force_login(manager)
    return client


def import_targets(client, rows):
    upload = SimpleUploadedFile("targets.csv", csv_file(rows, header=TARGET_COLUMNS))
    data = {"format": "0", "resource": "0", "import_file": upload}
    html = client.post("/admin/kpis/indicator/import/", data).content.decode()
    fields = confirm_form(html)
    if fields is not None:
        client.post("/admin/kpis/indicator/process_import/", fields)
    return html


NEW_SOURCE_NEEDED = (
    "A new target value needs the document it comes from: choose its source "
    "(add it under Sources first)."
)


def test_the_targets_import_refuses_a_revision_that_cites_the_old_source(
    managing, indicator, source
):
    row = (indicator.code, 2024, "120", "达", source.title, "2024年达120家。", "年中调整")
    html = import_targets(managing, [row])
    assert shown(NEW_SOURCE_NEEDED) in html
    assert indicator.targets.get().value == 100


def test_the_targets_import_does_not_change_a_withdrawn_target(managing, indicator):
    target = indicator.targets.get()
    target.withdraw("指标调整", timezone.now())
    target.save()
    report = Source.objects.create(title="新报告", publisher="区政府", published_on=JANUARY)
    row = (indicator.code, 2024, "120", "达", report.title, "2024年达120家。", "新报告")
    html = import_targets(managing, [row])
    assert shown("A withdrawn target stays as it was.") in html
    assert indicator.targets.get().value == 100


def test_the_extraction_page_refuses_a_revision_that_cites_the_old_source(article, manager_client):
    paste(manager_client, "2024年,光明区力争集群整体估值超500亿元。")
    source = Source.objects.get(title="年度报告")
    target = Target.objects.get(indicator__code="synbio-valuation", year=2024)
    Target.objects.filter(pk=target.pk).update(source=source)
    decide(manager_client, source, "超500", "target", year=2024, change_reason="年中调整")
    assert Target.objects.get(pk=target.pk).value == target.value


def test_the_extraction_page_does_not_change_a_withdrawn_target(article, manager_client):
    target = Target.objects.get(indicator__code="synbio-valuation", year=2024)
    target.withdraw("指标调整", timezone.now())
    target.save()
    paste(manager_client, "2024年,光明区力争集群整体估值超500亿元。")
    source = Source.objects.get(title="年度报告")
    decide(manager_client, source, "超500", "target", year=2024, change_reason="年中调整")
    assert Target.objects.get(pk=target.pk).value == target.value


# --- 3. An XLSX bomb in the figures import is refused before it is parsed ----------------------


def with_member(archive_bytes, name, content):
    """A copy of a ZIP archive with the member `name` replaced by (or added as) `content`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive_bytes)) as old,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for member in old.infolist():
            if member.filename != name:
                new.writestr(member, old.read(member))
        new.writestr(name, content)
    return out.getvalue()


def test_an_xlsx_of_millions_of_shared_strings_is_refused_with_a_clear_message(
    client, official, indicator, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    strings = "<si><t>x</t></si>" * 1_000_000  # 17 MB unpacked
    sheet = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + strings
        + "</sst>"
    )
    bomb = with_member(xlsx_file([]), "xl/sharedStrings.xml", sheet)
    assert len(bomb) < 200_000
    client.force_login(official)
    html = dry_run(client, bomb, name="figures.xlsx", file_format=XLSX).content.decode()
    assert shown_unpacks_to(10) in html
    assert not Actual.objects.exists()


def shown_unpacks_to(megabytes):
    return shown(
        "The file unpacks to more than %(limit)s MB, more than any document or "
        "sheet this page takes: save it again without what it does not need.",
        limit=str(megabytes),
    )


# --- 4. Document extraction: linear time, bounded files, a review page that stays small ---------


def extraction_seconds(text):
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        extract(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize(
    "crafted",
    [
        lambda n: "1" * n + "家",  # one number of n digits
        lambda n: "一" * n + "万人",  # one Chinese numeral of n characters
        lambda n: "1-" * (n // 2) + "月",  # a month range that never ends
        lambda n: "达1家、" * (n // 4),  # a list without a full stop
    ],
)
def test_extracting_ten_times_the_text_takes_about_ten_times_as_long_not_a_hundred(crafted):
    small, large = extraction_seconds(crafted(10_000)), extraction_seconds(crafted(100_000))
    assert large < 30 * max(small, 0.002)


def test_an_uploaded_document_larger_than_the_limit_is_refused(manager_client, settings):
    settings.EXTRACTION_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("report.txt", ("全区企业达1家。" * 100_000).encode())
    html = upload(manager_client, big).content.decode()
    assert (
        shown("The file is larger than %(limit)s MB, the most this page takes.", limit="1") in html
    )
    assert not Source.objects.exists()


def upload(client, file):
    data = {"title": "年度报告", "publisher": "区政府", "published_on": JANUARY, "text": ""}
    return client.post("/admin/kpis/source/extract/", {**data, "upload": file})


def docx_bytes(text="2024年全区企业达1家。"):
    document = docx.Document()
    document.add_paragraph(text)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def test_a_docx_bomb_is_refused_before_it_is_unpacked(manager_client):
    padding = "<w:p/>" * 8_000_000  # 48 MB of empty paragraphs
    bomb = with_member(docx_bytes(), "word/padding.xml", padding)
    assert len(bomb) < 300_000
    html = upload(manager_client, SimpleUploadedFile("report.docx", bomb)).content.decode()
    assert shown_unpacks_to(30) in html
    assert not Source.objects.exists()


def candidates_document(size=20_000):
    sentence = "2024年全区专精特新企业增至800家，研发投入达12亿元。"
    return (sentence * (size // len(sentence.encode())))[: size // 3]


def test_the_review_page_at_1000_indicators_stays_small_and_does_not_grow_per_row(
    manager_client, theme, django_assert_max_num_queries
):
    response = paste(manager_client, candidates_document())
    review = response["Location"]
    few = manager_client.get(review).content
    Indicator.objects.bulk_create(
        Indicator(
            code=f"bulk-{number}",
            name=f"指标{number}号企业数",
            name_en=f"Indicator {number}",
            theme=theme,
            unit="家",
            position=number,
        )
        for number in range(1000)
    )
    with django_assert_max_num_queries(20):
        many = manager_client.get(review).content
    rows = many.decode().count('value="reject"')
    assert rows > 100
    assert len(many) - len(few) < 150_000  # the indicators once, not once per row


def test_the_review_page_does_not_extract_the_document_again_on_each_view(
    manager_client, monkeypatch
):
    review = paste(manager_client, candidates_document(2_000))["Location"]
    manager_client.get(review)
    calls = []
    monkeypatch.setattr("kpis.extraction_admin.extract", lambda *a, **k: calls.append(a) or [])
    manager_client.get(review)
    assert calls == []


# --- 13. Malformed documents and NUL bytes are refused, not a server error -------------------


def test_a_docx_that_is_not_well_formed_xml_is_refused_with_a_message(manager_client):
    broken = with_member(docx_bytes(), "word/document.xml", "<w:document><w:body>")
    response = upload(manager_client, SimpleUploadedFile("report.docx", broken))
    assert response.status_code == 200
    assert shown("This file cannot be read: give UTF-8 text or .docx.") in response.content.decode()
    assert not Source.objects.exists()


def test_a_text_file_with_a_nul_byte_is_refused_like_pasted_text(manager_client):
    response = upload(manager_client, SimpleUploadedFile("report.txt", "全区\x00企业".encode()))
    assert response.status_code == 200
    assert shown("Null characters are not allowed.") in response.content.decode()
    assert not Source.objects.exists()


# --- 12. Bulletins: only sensible days and years are stored; odd names and versions are no 500 ---


@pytest.mark.parametrize(
    ("as_of", "year"),
    [("1000-01-01", ""), ("1999-12-31", ""), ("2026-06-30", "2100"), ("2026-06-30", "2024")],
)
def test_a_bulletin_of_an_odd_day_or_year_is_refused_from_my_page_and_nothing_is_stored(
    client, reviewer, indicator, as_of, year
):
    client.force_login(reviewer)
    client.post("/my/bulletins/", {"as_of": as_of, "year": year, "language": "zh-hans"})
    assert not Bulletin.objects.exists()


def test_a_bulletin_of_an_odd_year_is_refused_in_the_admin_with_a_reason(
    client, admin_user, indicator
):
    client.force_login(admin_user)
    response = client.post(
        "/admin/kpis/bulletin/make/", {"as_of": "2026-06-30", "year": "2100", "language": "en"}
    )
    assert response.status_code == 200 and not Bulletin.objects.exists()
    assert shown("A bulletin reports on the year of its day or the year before.") in (
        response.content.decode()
    )


def test_the_bulletin_command_refuses_a_day_before_2000(indicator, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "bulletin", "--as-of", "1000-01-01", "--format", "docx",
            "--output", str(tmp_path / "b.docx"), stdout=io.StringIO(),
        )  # fmt: skip
    assert not Bulletin.objects.exists()


def test_a_control_character_in_a_name_does_not_break_the_bulletin(
    make_indicator, make_actual, department
):
    odd = make_indicator(name="企业\x0b数量\x01", name_en="Firms\x1b", target="100")
    make_actual(odd, period_end=datetime.date(2024, 6, 30), value="50")
    department.name = "科技\x08局"
    department.save()
    bulletin = bulletins.make(datetime.date(2024, 6, 30), "zh-hans", 2024)
    word = docx.Document(io.BytesIO(bytes(bulletin.docx)))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    text = "\n".join(cells)
    assert "企业数量" in text
    assert bytes(bulletin.pdf)[:5] == b"%PDF-"


def test_a_version_in_digits_other_than_0_to_9_is_not_found(anonymous, indicator):
    bulletins.make(datetime.date(2024, 6, 30), "zh-hans", 2024)
    for version in ("²", "١", "99999999999999999999999"):
        response = anonymous.get(f"/bulletins/2024-06-30.docx?version={version}")
        assert response.status_code == 404


# --- 7. A department's lateness cannot be wiped by moving its "reporting since" date -----------


def change_reporting_since(client, department, day):
    data = {"code": department.code, "name": department.name, "name_en": department.name_en}
    return client.post(
        f"/admin/kpis/department/{department.pk}/change/",
        {**data, "webhook_url": "", "reporting_since": day},
    )


def test_a_manager_cannot_move_a_departments_reporting_start_later_once_it_has_passed(
    client, admin_user, department, reporting_since_2024
):
    client.force_login(admin_user)
    response = change_reporting_since(client, department, "2026-12-01")
    department.refresh_from_db()
    assert response.status_code == 200 and department.reporting_since is None


def test_an_earlier_reporting_start_is_allowed_and_shown_on_the_public_scorecard(
    client, anonymous, admin_user, department, make_indicator, reporting_since_2024
):
    make_indicator(target="100", department=department)
    client.force_login(admin_user)
    change_reporting_since(client, department, "2023-07-01")
    department.refresh_from_db()
    assert department.reporting_since == datetime.date(2023, 7, 1)
    page = anonymous.get("/en/departments/").content.decode()
    with translation.override("en"):
        day = date_format(datetime.date(2023, 7, 1), "DATE_FORMAT")
    assert f"reporting here since {day}" in page
