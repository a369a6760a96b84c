import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format

from kpis.models import Actual, Indicator
from tests.conftest import SHANGHAI


def rows_of(html):
    """The text of each table body row, tags stripped and white space folded."""
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def row_for(html, name):
    matches = [row for row in rows_of(html) if name in row]
    assert len(matches) == 1, (name, rows_of(html))
    return matches[0]


def test_progress_page_shows_the_article_target_for_synthetic_biology(
    year_2024_open, anonymous, article
):
    html = anonymous.get("/").content.decode()
    row = row_for(html, "合成生物产业集群整体估值")
    assert "超过400亿元" in row
    assert "暂无数据" in row


def test_english_page_shows_the_same_target_in_english(anonymous, article):
    html = anonymous.get("/en/").content.decode()
    row = row_for(html, "Synthetic biology cluster valuation")
    assert "more than 40 billion yuan" in row


def test_published_figure_shows_with_attainment_and_status(
    year_2024_open, anonymous, article, make_actual
):
    indicator = Indicator.objects.get(code="synbio-valuation")
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="150")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="260")
    row = row_for(anonymous.get("/en/").content.decode(), "Synthetic biology cluster valuation")
    # Start 150 at the end of March, even path to 400 at year end: 233.3 expected by June.
    assert "26 billion yuan Q2 2024" in row
    assert "65%" in row
    assert "On track" in row


def test_draft_submitted_and_returned_figures_never_show(anonymous, article, make_actual):
    indicator = Indicator.objects.get(code="synbio-valuation")
    for month, status in [(3, "draft"), (6, "submitted"), (9, "returned")]:
        end = datetime.date(2024, month, 30 if month in (6, 9) else 31)
        make_actual(indicator, period_end=end, value=f"{month}99", status=status)
    html = (
        anonymous.get("/en/").content.decode()
        + anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    )
    assert not re.search(r"[369],?99", html)
    assert "No figure has been published" in html


def test_indicator_page_shows_the_source_quote_and_published_history(
    anonymous, article, make_actual
):
    indicator = Indicator.objects.get(code="brain-science-enterprises")
    make_actual(indicator, period_end=datetime.date(2024, 3, 31), value="41")
    make_actual(indicator, period_end=datetime.date(2024, 6, 30), value="48")
    html = anonymous.get("/en/indicators/brain-science-enterprises/").content.decode()
    assert "2024年實現企業總量超60家" in html
    assert re.search(r"March 31, 2024</td>\s*<td[^>]*>41 enterprises", html)
    assert "By June 2024: 80% of the target" in html


def test_year_without_targets_is_not_found(anonymous, article):
    response = anonymous.get("/?year=2031")
    assert response.status_code == 404


def test_theme_filter_keeps_only_that_theme(anonymous, article):
    html = anonymous.get("/en/?theme=brain-science").content.decode()
    assert len(rows_of(html)) == 2
    assert all("Brain science" in row for row in rows_of(html))


def test_filter_lists_keep_the_choices_made_and_escape_names(
    anonymous, article, department, other_department
):
    department.name_en = "Science & <Technology>"
    department.save()
    Indicator.objects.filter(code="synbio-valuation").update(department=department)
    html = anonymous.get(f"/en/?department={department.code}&status=no_data").content.decode()
    form = html.split('<form method="get" class="filters"', 1)[1].split("</form>", 1)[0]
    assert re.search(rf'<option value="{department.code}" selected>', form)
    assert "Science &amp; &lt;Technology&gt;" in form
    assert '<option value="no_data" selected>No data yet</option>' in form
    assert '<option value="" selected>All themes</option>' in form
    # Only departments with public indicators are offered: not the other department.
    departments = form.split('name="department"', 1)[1].split("</select>", 1)[0]
    assert departments.count("<option") == 2


def test_sorting_by_status_puts_a_missed_target_first(
    year_2024_open, anonymous, article, make_actual
):
    make_actual(
        Indicator.objects.get(code="brain-science-valuation"),
        period_end=datetime.date(2024, 12, 31),
        value="10",
    )
    rows = rows_of(anonymous.get("/en/?sort=status").content.decode())
    assert "Brain science and brain-inspired intelligence valuation" in rows[0]
    assert "Missed" in rows[0]


def test_sorting_by_attainment_orders_the_shares_and_keeps_rows_without_figures(
    anonymous, article, make_actual
):
    for code, value in (("brain-science-valuation", "10"), ("synbio-valuation", "300")):
        make_actual(
            Indicator.objects.get(code=code), period_end=datetime.date(2024, 6, 30), value=value
        )
    rows = rows_of(anonymous.get("/en/?sort=-attainment").content.decode())
    assert "Synthetic biology cluster valuation" in rows[0] and "75%" in rows[0]
    assert "Brain science and brain-inspired intelligence valuation" in rows[1]
    assert len(rows) == len(rows_of(anonymous.get("/en/").content.decode()))


def test_a_filter_that_matches_nothing_says_so_in_the_table(anonymous, article):
    html = anonymous.get("/en/?status=behind").content.decode()
    assert rows_of(html) == ["No indicator matches these filters."]


def test_progress_json_follows_the_contract(year_2024_open, anonymous, article, make_actual):
    make_actual(
        Indicator.objects.get(code="synbio-valuation"),
        period_end=datetime.date(2024, 6, 30),
        value="123",
    )
    data = json.loads(anonymous.get("/data/progress.json").content)
    row = next(item for item in data["indicators"] if item["code"] == "synbio-valuation")
    assert data["year"] == 2024
    assert row["target"] == {"year": 2024, "value": "400", "qualifier": "over"}
    assert (row["baseline"], row["actual"], row["status"]) == (
        None,
        {"period_end": "2024-06-30", "value": "123", "explanation": None},
        "unknown_pace",
    )


def test_progress_json_keeps_nulls_where_the_article_is_silent(anonymous, article):
    data = json.loads(anonymous.get("/data/progress.json").content)
    row = next(item for item in data["indicators"] if item["code"] == "high-tech-enterprises")
    assert row["baseline"] == {"year": 2023, "value": "2000", "qualifier": "over"}
    assert (row["target"], row["actual"], row["attainment"]) == (None, None, None)
    assert row["source"]["quote"] == "2023年全區國家高新技術企業突破2000家。"


def test_progress_json_never_contains_unpublished_figures(anonymous, article, make_actual):
    make_actual(
        Indicator.objects.get(code="synbio-valuation"),
        period_end=datetime.date(2024, 6, 30),
        value="321.5",
        status=Actual.Status.SUBMITTED,
        note="内部说明",
    )
    body = anonymous.get("/data/progress.json").content.decode()
    assert "321.5" not in body and "内部说明" not in body


def test_healthz_reports_the_database(anonymous, db):
    response = anonymous.get("/healthz")
    assert (response.status_code, response.json()["database"]) == (200, "ok")


def test_internal_indicator_is_not_public(anonymous, article):
    Indicator.objects.filter(code="synbio-valuation").update(is_public=False)
    assert anonymous.get("/indicators/synbio-valuation/").status_code == 404
    assert "synbio-valuation" not in anonymous.get("/data/progress.json").content.decode()


def build_indicators(make_indicator, make_actual, count):
    for number in range(count):
        indicator = make_indicator(target="100")
        make_actual(indicator, period_end=datetime.date(2024, 3, 31), value=number)
        make_actual(indicator, period_end=datetime.date(2024, 6, 30), value=number + 5)


def queries_for(client, url):
    """Queries of `url` built afresh (the cache emptied) once the indicators have been
    judged: the first reader after a change writes the judged rows of what changed, which
    costs a write per batch of changed indicators, not per page."""
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/en/",
        "/?sort=status",
        "/?status=behind&theme=innovation",
        "/indicators/indicator-1/",
        "/data/",
        "/data/progress.json",
        "/data/progress.csv",
        "/data/progress.xlsx",
        "/data/indicators/indicator-1.csv",
        "/departments/",
    ],
)
def test_every_public_page_costs_the_same_queries_at_5_and_500_indicators(
    year_2024_open, anonymous, make_indicator, make_actual, django_assert_max_num_queries, url
):
    build_indicators(make_indicator, make_actual, 5)
    small = queries_for(anonymous, url)
    build_indicators(make_indicator, make_actual, 495)
    anonymous.get(url)
    cache.clear()
    with django_assert_max_num_queries(small):
        anonymous.get(url)
    # `/`: the data version (twice: the cache, the judged years), the target years, the
    # judged years, their counts (again for a theme or department), the page's judged rows
    # and their count, the page's figures and themes, the two filter lists, the last
    # publication and the key tasks' counts: none grows with the indicators.
    assert small <= 18


def test_indicator_page_queries_do_not_grow_with_history(
    anonymous, make_indicator, make_actual, django_assert_max_num_queries
):
    indicator = make_indicator(target="100", frequency="monthly")
    make_actual(indicator, period_end=datetime.date(2024, 1, 31), value=1)
    url = indicator.get_absolute_url()
    few = queries_for(anonymous, url)
    for month in range(2, 13):
        end = (
            datetime.date(2024, month + 1, 1) - datetime.timedelta(days=1)
            if month < 12
            else (datetime.date(2024, 12, 31))
        )
        make_actual(indicator, period_end=end, value=month)
    with django_assert_max_num_queries(few):
        anonymous.get(url)
    # The indicator and its targets are each read once (it took 9 when both were read twice);
    # the five-year plans' section reads its plan targets in one more (plans_of).
    assert few <= 8


@pytest.fixture
def sample_figures(article, make_actual):
    """Synthetic biology ahead of pace, brain science behind it."""
    for code, values in {
        "synbio-valuation": ["150", "240"],
        "brain-science-enterprises": ["30", "33"],
    }.items():
        indicator = Indicator.objects.get(code=code)
        ends = [datetime.date(2024, 3, 31), datetime.date(2024, 6, 30)]
        for end, value in zip(ends, values, strict=True):
            make_actual(indicator, period_end=end, value=value)


def summary_counts(html):
    strip = html.split('class="status-summary"', 1)[1].split("</ul>", 1)[0]
    pairs = re.findall(r'status-count status-(\w+)".*?class="count">(\d+)<', strip, flags=re.S)
    return {status: int(count) for status, count in pairs}


def test_summary_strip_counts_the_targets_by_status(year_2024_open, anonymous, sample_figures):
    counts = summary_counts(anonymous.get("/en/").content.decode())
    assert counts == {"behind": 1, "at_risk": 0, "on_track": 1, "achieved": 0, "no_data": 3}


def test_status_filter_keeps_only_the_indicators_behind(year_2024_open, anonymous, sample_figures):
    rows = rows_of(anonymous.get("/en/?status=behind").content.decode())
    assert len(rows) == 1
    assert "Brain science and brain-inspired intelligence enterprises" in rows[0]


def test_the_summary_counts_every_status_while_the_table_shows_the_one_chosen(
    year_2024_open, anonymous, sample_figures
):
    html = anonymous.get("/en/?status=behind").content.decode()
    assert summary_counts(html) == summary_counts(anonymous.get("/en/").content.decode())
    assert len(rows_of(html)) == 1


def test_sort_links_keep_the_filters(anonymous, sample_figures):
    html = anonymous.get("/en/?theme=brain-science&status=behind").content.decode()
    sort_link = re.search(r'href="([^"]*sort=status[^"]*)"', html).group(1)
    assert "theme=brain-science" in sort_link and "status=behind" in sort_link


def test_page_says_when_a_figure_was_last_published(anonymous, sample_figures):
    html = anonymous.get("/en/").content.decode()
    assert "Latest publication:" in html
    latest = Actual.objects.latest("published_at").published_at
    with translation.override("en"):
        day = date_format(timezone.localtime(latest).date(), "DATE_FORMAT")
    assert f"Latest publication: {day}." in html


def chart_points(html):
    svg = html.split('<figure class="chart">', 1)[1].split("</svg>", 1)[0]
    return re.findall(r'class="actual-point" cx="([\d.]+)" cy="([\d.]+)"', svg)


def test_chart_draws_one_point_per_published_figure_rising(anonymous, sample_figures):
    points = chart_points(anonymous.get("/en/indicators/synbio-valuation/").content.decode())
    assert len(points) == 2
    (x1, y1), (x2, y2) = [(float(x), float(y)) for x, y in points]
    assert x2 > x1 and y2 < y1  # later and higher (SVG y grows downwards)


def test_chart_has_a_title_a_description_and_the_target_and_pace_lines(
    year_2024_open, anonymous, sample_figures
):
    html = anonymous.get("/en/indicators/synbio-valuation/").content.decode()
    assert '<title id="chart-title">Synthetic biology cluster valuation in 2024</title>' in html
    assert 'class="target-line"' in html and 'class="pace-line"' in html
    assert "By June 2024: 60% of the target; expected 58%" in html


def test_indicator_page_summary_sentence_in_chinese(year_2024_open, anonymous, sample_figures):
    html = anonymous.get("/indicators/brain-science-enterprises/").content.decode()
    assert "截至2024年6月：已完成目标的55%；按进度应完成" in html


def test_units_read_naturally_in_each_language(anonymous, article):
    english = row_for(anonymous.get("/en/").content.decode(), "Finance Tower")
    chinese = row_for(anonymous.get("/").content.decode(), "光明科技金融大厦")
    assert "20 institutions (2023)" in english
    assert "20家 (2023)" in chinese


def test_public_header_offers_a_sign_in_link(anonymous, article):
    chinese = anonymous.get("/").content.decode()
    english = anonymous.get("/en/").content.decode()
    assert '<a href="/accounts/login/">登录</a>' in chinese
    assert '<a href="/en/accounts/login/">Sign in</a>' in english


def test_signed_in_people_see_sign_out_instead_of_sign_in(client, official):
    client.force_login(official)
    html = client.get("/en/data/").content.decode()
    assert ">Sign out</button>" in html and '<a href="/en/accounts/login/">' not in html


def test_rows_without_a_share_come_last_whichever_way_attainment_sorts(
    anonymous, article, make_actual
):
    make_actual(Indicator.objects.get(code="synbio-valuation"), value="300")
    for sort in ("attainment", "-attainment"):
        rows = rows_of(anonymous.get(f"/en/?sort={sort}").content.decode())
        assert "Synthetic biology cluster valuation" in rows[0]


# Issue 23, item 8: the charts on 6 December 2026, with figures of 2024 to 2026.


@pytest.fixture
def synbio_three_years(article, make_actual):
    """Synthetic biology valuation (亿元, target more than 400 in 2024): a figure every
    quarter of 2024, the last on 31 December, then 2025's and 2026's."""
    indicator = Indicator.objects.get(code="synbio-valuation")
    for end, value in [
        ((2024, 3, 31), "150"),
        ((2024, 6, 30), "240"),
        ((2024, 9, 30), "330"),
        ((2024, 12, 31), "420"),
        ((2025, 12, 31), "480"),
        ((2026, 9, 30), "520"),
    ]:
        make_actual(indicator, period_end=datetime.date(*end), value=value)
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        yield indicator


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def first_chart(html):
    return html.split('<figure class="chart">', 1)[1].split("</svg>", 1)[0]


def axis(svg):
    """The unit above the axis and the axis's numbers, top to bottom."""
    unit = re.search(r'class="tick axis-unit"[^>]*>([^<]*)<', svg).group(1)
    numbers = re.findall(r'text-anchor="end" dominant-baseline="middle">([^<]*)<', svg)
    return unit, numbers


def test_the_chart_axis_speaks_the_pages_language_and_scale(anonymous, synbio_three_years):
    chinese = axis(first_chart(get(anonymous, "/indicators/synbio-valuation/?year=2024")))
    english = axis(first_chart(get(anonymous, "/en/indicators/synbio-valuation/?year=2024")))
    assert chinese[0] == "亿元" and english[0] == "billion yuan"
    assert "400" in chinese[1] and "40" in english[1]
    assert [Decimal(n) for n in english[1]] == [Decimal(n) / 10 for n in chinese[1]]


def test_the_target_label_never_covers_a_point(anonymous, synbio_three_years):
    svg = first_chart(get(anonymous, "/en/indicators/synbio-valuation/?year=2024"))
    label_x = float(re.search(r'class="line-label" x="([\d.]+)"', svg).group(1))
    radius = float(re.search(r'class="actual-point" cx="[\d.]+" cy="[\d.]+" r="([\d.]+)"', svg)[1])
    last_point_x = max(float(x) for x, _ in chart_points('<figure class="chart">' + svg))
    assert label_x > last_point_x + radius  # the 31 December figure is the right-most point


def test_an_indicator_without_figures_has_one_empty_state_and_no_legend(anonymous, article):
    with time_machine.travel(datetime.datetime(2026, 12, 6, 10, tzinfo=SHANGHAI), tick=True):
        page = get(anonymous, "/en/indicators/brain-science-enterprises/")
    assert page.count('<figure class="chart">') == 0
    assert page.count("there is nothing to chart yet") == 1
    assert "key-actual" not in page and "key-target" not in page
