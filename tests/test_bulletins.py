import datetime
import io
import re
import struct
import subprocess
import tempfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import docx
import pypdf
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from kpis import progress
from kpis.models import Actual, Bulletin, Target
from reports import bulletins
from tests.conftest import SHANGHAI
from tests.test_reminders import Hook, hook_server  # noqa: F401 - the robot fixture

MARCH, JUNE, SEPTEMBER = (datetime.date(2024, m, d) for m, d in [(3, 31), (6, 30), (9, 30)])
MM = 72 / 25.4  # PDF points per millimetre


def on(day):
    """Travel to `day`, 10:00 in Shenzhen: a bulletin as of a day knows what was recorded
    by its end."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI))


@pytest.fixture
def sample(make_indicator, make_actual, department):
    """Four public targets of 2024 (set in January) at four statuses by 30 June, and
    figures the bulletin of 30 June must not show: a draft, a correction under review, a
    later period, a hidden indicator."""
    with on(datetime.date(2024, 1, 15)):
        return sample_targets(make_indicator, make_actual, department)


def sample_targets(make_indicator, make_actual, department):
    behind = make_indicator(
        name="落后指标", name_en="Lagging far", department=department, target="100"
    )
    make_actual(behind, period_end=MARCH, value="40")
    make_actual(behind, period_end=JUNE, value="50")
    make_actual(behind, period_end=SEPTEMBER, value="99")  # after the day of the bulletin
    at_risk = make_indicator(
        name="风险指标",
        name_en="Slightly behind",
        department=department,
        target="100",
        baseline_year=2023,
        baseline_value=Decimal(0),
    )
    make_actual(at_risk, period_end=MARCH, value="20")
    revised = make_actual(at_risk, period_end=JUNE, value="45")
    revised.value, revised.status = Decimal("888"), Actual.Status.SUBMITTED  # not yet published
    revised.save()
    on_track = make_indicator(
        name="正常指标", name_en="On pace", target="100", baseline_year=2023, baseline_value=0
    )
    make_actual(on_track, period_end=JUNE, value="60")
    achieved = make_indicator(name="完成指标", name_en="Done", target="10")
    make_actual(achieved, period_end=JUNE, value="12")
    draft_only = make_indicator(name="草稿指标", name_en="Draft only", target="10")
    make_actual(draft_only, period_end=JUNE, value="777", status=Actual.Status.DRAFT)
    hidden = make_indicator(name="内部指标", name_en="Internal", target="10", is_public=False)
    make_actual(hidden, period_end=JUNE, value="555")
    return {"behind": behind, "at_risk": at_risk, "on_track": on_track, "achieved": achieved}


def make(as_of=JUNE, language="zh-hans"):
    return bulletins.make(as_of, language)


def docx_of(bulletin):
    return docx.Document(io.BytesIO(bytes(bulletin.docx)))


def docx_text(document):
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


def pdf_text(bulletin):
    reader = pypdf.PdfReader(io.BytesIO(bytes(bulletin.pdf)))
    return "".join(page.extract_text() for page in reader.pages)


def squeezed(text):
    """Text without white space: a PDF breaks a table cell's text where the cell wraps."""
    return re.sub(r"\s+", "", text)


def expected_cells(row):
    """What the theme table must print for a stored row (whole numbers of 家)."""
    actual = row["actual"] or {}
    shares = [
        "—" if row[key] is None else f"{(Decimal(row[key]) * 100).quantize(Decimal(1))}%"
        for key in ("attainment", "expected_attainment")
    ]
    return [
        row["name"],
        f"{Decimal(row['target']['value']):,.0f}家",
        "—" if not actual else f"{Decimal(actual['value']):,.0f}家",
        {"2024-06-30": "2024年二季度", None: "—"}[actual.get("period_end")],
        *shares,
    ]


def test_every_number_in_the_word_file_is_the_stored_row(sample):
    bulletin = make()
    stored = {row["name"]: row for row in bulletin.data["rows"]}
    printed = [
        [cell.text for cell in row.cells]
        for table in docx_of(bulletin).tables
        if table.rows[0].cells[0].text == "指标"
        for row in table.rows[1:]
    ]
    assert len(printed) == len(stored) == 5
    for cells in printed:
        assert cells[:6] == expected_cells(stored[cells[0]])


def test_every_number_in_the_pdf_is_the_stored_row(sample):
    bulletin = make()
    text = squeezed(pdf_text(bulletin))
    for row in bulletin.data["rows"]:
        for cell in expected_cells(row):
            assert squeezed(cell) in text, (row["name"], cell)


def test_the_rows_are_the_published_figures_of_the_periods_ended_by_the_day(sample):
    rows = {row["name"]: row for row in make().data["rows"]}
    assert rows["落后指标"]["actual"] == {"period_end": "2024-06-30", "value": "50"}
    assert rows["风险指标"]["actual"] == {"period_end": "2024-06-30", "value": "45"}
    assert rows["草稿指标"]["actual"] is None and "内部指标" not in rows
    assert [rows[name]["status"] for name in ("落后指标", "风险指标", "正常指标", "完成指标")] == [
        "behind",
        "at_risk",
        "on_track",
        "achieved",
    ]


def test_nothing_unpublished_or_later_appears_in_either_file(sample):
    bulletin = make()
    for text in (docx_text(docx_of(bulletin)), pdf_text(bulletin)):
        for figure in ("777", "888", "99家", "555", "内部指标"):
            assert figure not in text


def test_the_laggards_are_all_listed_the_furthest_behind_first(sample):
    bulletin = make()
    paragraphs = [paragraph.text for paragraph in docx_of(bulletin).paragraphs]
    start = paragraphs.index("进展滞后的目标")
    listed = [text for text in paragraphs[start + 1 :] if re.match(r"\d+\. ", text)]
    assert [text.split("（")[0] for text in listed] == ["1. 落后指标", "2. 风险指标"]
    stored = [row["name"] for row in bulletins.laggards(bulletin.data["rows"])]
    assert stored == ["落后指标", "风险指标"]


def test_a_laggard_says_the_pace_still_needed_against_its_best_monthly_pace(sample):
    bulletin = make()
    row = next(row for row in bulletin.data["rows"] if row["name"] == "落后指标")
    # 50 of 100 by June: 50 more in six months; its best so far was 10 in three months.
    assert (row["needed_per_month"], row["best_monthly_pace"]) == ("8.3333", "3.3333")
    text = pdf_text(bulletin)
    assert "全年目标尚需每月增加8.3家" in squeezed(text)
    assert "高于历史最快月度增速（3.3家）" in squeezed(text)
    assert "高于历史最快月度增速" in squeezed(text)


def test_statuses_show_their_word_beside_their_colour(sample):
    document = docx_of(make())
    status_cells = {
        row.cells[0].text: row.cells[6]
        for table in document.tables
        if table.rows[0].cells[0].text == "指标"
        for row in table.rows[1:]
    }
    cell = status_cells["落后指标"]
    assert cell.text == "落后"
    assert 'w:fill="FFC7CE"' in cell._tc.xml  # red
    assert 'w:fill="C6EFCE"' in status_cells["完成指标"]._tc.xml  # green


def test_the_pages_are_a4_with_the_official_document_margins(sample):
    bulletin = make()
    section = docx_of(bulletin).sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    text_area = (
        section.page_width.mm - section.left_margin.mm - section.right_margin.mm,
        section.page_height.mm - section.top_margin.mm - section.bottom_margin.mm,
    )
    assert text_area == pytest.approx((156, 225), abs=0.1)
    page = pypdf.PdfReader(io.BytesIO(bytes(bulletin.pdf))).pages[0]
    assert (float(page.mediabox.width) / MM, float(page.mediabox.height) / MM) == pytest.approx(
        (210, 297), abs=0.5
    )
    starts = []
    page.extract_text(
        visitor_text=lambda text, cm, tm, *_: text.strip() and starts.append(at(cm, tm))
    )
    # Every line starts inside the text area: 28 mm from the left, below 37 mm from the top.
    assert min(x for x, y in starts) / MM == pytest.approx(28, abs=0.5)
    assert max(y for x, y in starts) / MM <= 297 - 37


def at(cm, tm):
    """Where on the page (in points from its lower left corner) a text starts."""
    x, y = tm[4], tm[5]
    return x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]


def test_the_pdf_embeds_its_fonts(sample):
    reader = pypdf.PdfReader(io.BytesIO(bytes(make().pdf)))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"]
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"]).split("+")[-1]] = embedded
    assert fonts == {"Noto-Sans-CJK-SC-Bold": True, "Noto-Serif-CJK-SC": True}


def test_a_bulletin_at_a_month_end_names_the_months_so_far(db):
    bulletin = bulletins.make(datetime.date(2024, 5, 31), "zh-hans")
    assert docx_of(bulletin).paragraphs[0].text == "光明区2024年目标进展情况通报（1—5月）"


def test_the_title_names_the_quarter_and_the_issue(sample):
    bulletin = make()
    paragraphs = [paragraph.text for paragraph in docx_of(bulletin).paragraphs]
    assert paragraphs[:2] == ["光明区2024年目标进展情况通报（第二季度）", "2024年第1期"]
    english = docx_of(make(language="en")).paragraphs[0].text
    assert english == "Guangming District: progress on the 2024 targets (second quarter)"


def test_issues_are_counted_per_year_and_a_new_version_keeps_its_number(sample):
    first = make(MARCH)
    second = make(JUNE)
    again = make(JUNE)
    next_year = make(datetime.date(2025, 3, 31))
    numbers = [(b.issue, b.version) for b in (first, second, again, next_year)]
    assert numbers == [(1, 1), (2, 1), (2, 2), (1, 1)]


def test_the_summary_counts_the_targets_and_says_what_changed_since_the_last_bulletin(sample):
    make(MARCH)
    summary = make(JUNE).data
    text = bulletins.summary(summary)
    assert "5项目标中" in text and "已完成1项" in text and "落后1项" in text
    assert "与上期（第1期，截至2024年3月31日）相比" in text
    assert "正常指标由暂无数据变为进度正常" in text


def test_a_bulletin_keeps_its_rows_when_figures_change_later(sample, anonymous):
    bulletin = make()
    Actual.objects.filter(indicator=sample["achieved"]).update(value=3, published_value=3)
    bulletin.refresh_from_db()
    row = next(row for row in bulletin.data["rows"] if row["name"] == "完成指标")
    assert row["actual"]["value"] == "12"
    pdf = anonymous.get("/bulletins/2024-06-30.pdf").content
    assert pdf == bytes(bulletin.pdf)


def test_the_list_marks_the_current_version_and_downloads_serve_it(sample, anonymous):
    older = make()
    newer = make()
    html = anonymous.get("/bulletins/").content.decode()
    listed = html.split('class="file-list bulletins"')[1].split("</ul>")[0]
    assert listed.count("当前版本") == 1 and "已被新版本取代" in listed
    assert anonymous.get("/bulletins/2024-06-30.docx").content == bytes(newer.docx)
    old = anonymous.get("/bulletins/2024-06-30.docx?version=1").content
    assert old == bytes(older.docx)


def test_english_bulletins_are_listed_and_downloaded_under_en(sample, anonymous):
    make(language="zh-hans")
    english = make(language="en")
    response = anonymous.get("/en/bulletins/2024-06-30.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(english.pdf)
    assert "GuangmingDistrict:progressonthe2024targets" in squeezed(pdf_text(english))
    assert "version 1" in anonymous.get("/en/bulletins/").content.decode()


def test_a_day_without_a_bulletin_is_not_found(anonymous, db):
    assert anonymous.get("/bulletins/2024-06-30.pdf").status_code == 404


def test_reviewer_makes_the_bulletin_from_my_updates(client, reviewer, sample):
    client.force_login(reviewer)
    page = client.get("/my/").content.decode()
    assert 'action="/my/bulletins/"' in page
    response = client.post("/my/bulletins/", {"as_of": "2024-06-30", "language": "en"})
    bulletin = Bulletin.objects.get()
    assert response.url == "/en/bulletins/"
    assert (bulletin.as_of, bulletin.language, bulletin.made_by) == (JUNE, "en", reviewer)


def test_an_official_cannot_make_a_bulletin(client, official, sample):
    client.force_login(official)
    response = client.post("/my/bulletins/", {"as_of": "2024-06-30", "language": "zh-hans"})
    assert response.status_code == 403 and not Bulletin.objects.exists()


def test_a_bulletin_of_a_day_not_yet_over_is_refused(client, reviewer, sample):
    client.force_login(reviewer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    client.post("/my/bulletins/", {"as_of": tomorrow.isoformat(), "language": "zh-hans"})
    assert not Bulletin.objects.exists()


def test_the_admin_makes_a_bulletin(client, admin_user, sample):
    client.force_login(admin_user)
    assert "生成通报" in client.get("/admin/kpis/bulletin/").content.decode()
    response = client.post(
        "/admin/kpis/bulletin/make/", {"as_of": "2024-06-30", "year": "", "language": "zh-hans"}
    )
    bulletin = Bulletin.objects.get()
    assert response.url == f"/admin/kpis/bulletin/{bulletin.pk}/change/"


def test_the_command_writes_the_file_and_stores_the_bulletin(sample, tmp_path):
    output = tmp_path / "q2.docx"
    call_command(
        "bulletin", "--as-of", "2024-06-30", "--format", "docx", "--output", str(output),
        stdout=StringIO(),
    )  # fmt: skip
    pdf = tmp_path / "q2-en.pdf"
    call_command(
        "bulletin", "--as-of", "2024-06-30", "--lang", "en", "--year", "2024", "--format", "pdf",
        "--output", str(pdf), stdout=StringIO(),
    )  # fmt: skip
    chinese, english = Bulletin.objects.order_by("language").reverse()
    assert output.read_bytes() == bytes(chinese.docx) and pdf.read_bytes()[:5] == b"%PDF-"
    assert (chinese.language, english.language) == ("zh-hans", "en")


def test_target_revisions_since_the_previous_bulletin_are_listed(sample, source):
    make(MARCH)
    target = Target.objects.get(indicator=sample["achieved"])
    target.value = Decimal(15)
    target._change_reason = "区政府常务会议调整"
    with on(datetime.date(2024, 5, 10)):
        target.save()
    bulletin = make(JUNE)
    assert [(r["old"]["value"], r["new"]["value"]) for r in bulletin.data["revisions"]] == [
        ("10", "15")
    ]
    assert "区政府常务会议调整" in docx_text(docx_of(bulletin))


def test_the_departments_timeliness_is_in_the_bulletin(sample):
    bulletin = make()
    (science,) = bulletin.data["departments"]
    assert science["name"] == "科技创新局"
    assert "按时报送" in docx_text(docx_of(bulletin))


def test_each_department_robot_gets_the_bulletin_once_as_markdown(
    sample,
    department,
    hook_server,  # noqa: F811 - the fixture imported above
):
    department.webhook_url = hook_server
    department.save()
    make()
    call_command("send_bulletin", stdout=StringIO())
    call_command("send_bulletin", stdout=StringIO())
    (message,) = Hook.received
    text = message["markdown"]["content"]
    assert message["msgtype"] == "markdown" and "光明区2024年目标进展情况通报" in text
    assert "- 落后指标：落后" in text and "/bulletins/2024-06-30.pdf" in text


def test_the_rows_cost_the_same_queries_at_any_number_of_indicators(
    sample, make_indicator, make_actual, django_assert_max_num_queries
):
    from kpis.models import Indicator

    with django_assert_max_num_queries(8):
        bulletins.bulletin_rows(Indicator.objects.public(), JUNE, 2024)
    for number in range(30):
        make_actual(make_indicator(target="10"), value=str(number))
    with django_assert_max_num_queries(8):
        bulletins.bulletin_rows(Indicator.objects.public(), JUNE, 2024)


SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "bulletin-page1.png"
SAMPLE_FIGURES = {
    # Invented for the README's picture only, never shipped as data: the article's 2024
    # targets with quarterly figures at four statuses.
    "synbio-valuation": ("150", "240"),
    "synbio-billion-yuan-enterprises": ("8", "9"),
    "brain-science-enterprises": ("30", "34"),
    "brain-science-valuation": ("50", "85"),
}


def test_the_first_page_as_the_readme_shows_it(article, make_actual, department, other_department):
    from kpis.models import Indicator

    for code, values in SAMPLE_FIGURES.items():
        indicator = Indicator.objects.get(code=code)
        indicator.department = department if code.startswith("synbio") else other_department
        indicator.save()
        for period_end, value in zip((MARCH, JUNE), values, strict=True):
            make_actual(indicator, period_end=period_end, value=value)
    make(MARCH)
    bulletin = make(JUNE)
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "bulletin.pdf"
        pdf.write_bytes(bytes(bulletin.pdf))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf,
             SCREENSHOT.with_suffix("")],
            check=True,
        )  # fmt: skip
    width, height = struct.unpack(">II", SCREENSHOT.read_bytes()[16:24])
    assert height / width == pytest.approx(297 / 210, abs=0.01)
    statuses = [row["status"] for row in bulletin.data["rows"] if row["target"]]
    assert sorted(statuses) == ["achieved", "at_risk", "behind", "no_data", "on_track"]


def readings(*figures):
    return [progress.Reading(day, Decimal(value)) for day, value in figures]


def test_the_best_monthly_pace_of_a_flow_is_its_largest_periods_amount_per_month():
    figures = readings((MARCH, "30"), (JUNE, "60"), (SEPTEMBER, "45"))
    assert bulletins.best_monthly_pace(figures, "flow", "increase", "period", "quarterly") == 20


def test_the_best_monthly_pace_of_a_year_to_date_flow_is_its_largest_gain_per_month():
    figures = readings((MARCH, "30"), (JUNE, "90"), (datetime.date(2025, 3, 31), "12"))
    assert (
        bulletins.best_monthly_pace(figures, "flow", "increase", "year_to_date", "quarterly") == 20
    )


def test_the_best_monthly_pace_of_a_stock_that_should_fall_is_its_largest_fall_per_month():
    figures = readings((MARCH, "90"), (JUNE, "60"), (SEPTEMBER, "66"))
    assert bulletins.best_monthly_pace(figures, "stock", "decrease", "period", "quarterly") == 10


def test_a_bulletin_after_the_year_lists_its_missed_targets_without_a_pace(
    make_indicator, make_actual
):
    missed = make_indicator(name="未完成指标", target="100")
    make_actual(missed, period_end=datetime.date(2024, 12, 31), value="80")
    bulletin = bulletins.make(datetime.date(2025, 1, 31), "zh-hans", year=2024)
    (row,) = bulletins.laggards(bulletin.data["rows"])
    assert (row["name"], row["status"], row["needed_per_month"]) == ("未完成指标", "missed", None)
    paragraphs = [paragraph.text for paragraph in docx_of(bulletin).paragraphs]
    assert paragraphs[0] == "光明区2024年目标进展情况通报（全年）"
    assert "1. 未完成指标（未指定责任单位）：未完成，已完成目标的80%" in "\n".join(paragraphs)


def test_the_list_reads_the_bulletins_in_one_query_whatever_their_number(
    anonymous, db, django_assert_max_num_queries
):
    make(MARCH)
    with django_assert_max_num_queries(4):
        anonymous.get("/bulletins/")
    for _ in range(3):
        make(JUNE)
    with django_assert_max_num_queries(4):
        html = anonymous.get("/bulletins/").content.decode()
    assert html.count("/bulletins/2024-06-30.pdf") == 3


def test_the_pages_are_numbered_in_both_files(sample):
    bulletin = make()
    footer = docx_of(bulletin).sections[0].footer.paragraphs[0]
    assert "<w:instrText" in footer._p.xml and ">PAGE<" in footer._p.xml
    reader = pypdf.PdfReader(io.BytesIO(bytes(bulletin.pdf)))
    last_lines = [page.extract_text().strip().splitlines()[-1] for page in reader.pages]
    assert last_lines == [f"— {number} —" for number in range(1, len(reader.pages) + 1)]


def test_a_laggard_carries_its_departments_published_explanation(sample, monkeypatch):
    # The explanations themselves come from another branch (issue 12); until it is merged,
    # `published_explanations` is where they enter, and is stood in for here.
    explained = {
        "progress": "已走访企业20家",
        "problems": "申报周期较长",
        "next_steps": "加快认定",
        "en": {"progress": "Visited 20 firms", "problems": "Slow filing", "next_steps": "Speed up"},
    }
    monkeypatch.setattr(
        bulletins,
        "published_explanations",
        lambda indicators, year, moment: {(sample["behind"].pk, JUNE): explained},
    )
    chinese = docx_text(docx_of(make()))
    assert "进展情况：已走访企业20家。存在问题：申报周期较长。下一步措施：加快认定。" in chinese
    assert "进展情况：已走访企业20家。" in squeezed(pdf_text(Bulletin.objects.get()))
    english = docx_text(docx_of(make(language="en")))
    assert "Progress: Visited 20 firms. Problems: Slow filing. Next steps: Speed up." in english


def test_a_bulletin_of_the_same_day_stored_meanwhile_takes_the_number(sample, monkeypatch):
    render = bulletins.render_pdf
    made_meanwhile = []

    def render_while_another_is_stored(document):
        if not made_meanwhile:
            made_meanwhile.append(True)
            monkeypatch.setattr(bulletins, "render_pdf", render)
            make()  # another reviewer's, stored while this one's PDF is being laid out
        return render(document)

    monkeypatch.setattr(bulletins, "render_pdf", render_while_another_is_stored)
    mine = make()
    assert [b.version for b in Bulletin.objects.order_by("created_at")] == [1, 2]
    assert mine.version == 2 and "（第2版）" in docx_of(mine).paragraphs[1].text


def test_a_target_withdrawn_since_the_previous_bulletin_is_listed_with_its_reason(sample):
    make(MARCH)
    target = Target.objects.get(indicator=sample["achieved"])
    with on(datetime.date(2024, 5, 10)):
        target.withdraw("指标口径调整", timezone.now())
        target.save()
    (revision,) = make(JUNE).data["revisions"]
    assert (revision["new"], revision["reason"]) == (None, "指标口径调整")
    text = docx_text(docx_of(Bulletin.objects.get(as_of=JUNE)))
    assert "已撤回" in text and "指标口径调整" in text


def test_the_sources_of_the_targets_are_in_a_footnote(sample):
    paragraphs = [paragraph.text for paragraph in docx_of(make()).paragraphs]
    assert "目标来源：Test Daily, 2024年1月31日, 测试来源。" in paragraphs


# Issue 23, items 5 and 6: a bulletin as of 30 November 2026 made on 6 December 2026, with
# figures and key tasks of 2024 to 2026.

NOVEMBER_30 = datetime.date(2026, 11, 30)


def target_of_2026(indicator, source, value):
    return Target.objects.create(
        indicator=indicator, year=2026, value=Decimal(value), source=source, quote="2026年目标。"
    )


@pytest.fixture
def december_2026(make_indicator, make_actual, make_task, make_milestone, department, source):
    """R&D spending (亿元, quarterly) at 540 of its 600 by the third quarter of 2026, from
    500 at the end of 2025; enterprises at 500 of 600 in the first quarter, the second and
    third overdue; a target set in January and revised on 6 December; a 2024 task never
    completed, and a 2026 task whose milestone due on 31 October was overdue on 30 November
    and moved to January on 3 December."""
    with on(datetime.date(2026, 1, 20)):
        spending = make_indicator(
            name="全社会研发投入", name_en="R&D spending", unit="亿元", department=department
        )
        spending_target = target_of_2026(spending, source, "600")
        lagging = make_indicator(
            name="高新技术企业", name_en="High-tech firms", department=department
        )
        target_of_2026(lagging, source, "600")
    for indicator, figures in (
        (spending, [(2024, 12, 31, 300), (2025, 12, 31, 500), (2026, 3, 31, 510)]),
        (spending, [(2026, 6, 30, 525), (2026, 9, 30, 540)]),
        (lagging, [(2024, 12, 31, 400), (2025, 12, 31, 500), (2026, 3, 31, 500)]),
    ):
        for year, month, day, value in figures:
            make_actual(indicator, period_end=datetime.date(year, month, day), value=value)
    with on(datetime.date(2024, 3, 1)):
        old_task = make_task(year=2024, department=department, title="二〇二四年任务")
        make_milestone(old_task, due=datetime.date(2024, 6, 30), title="二〇二四年节点")
    with on(datetime.date(2026, 3, 1)):
        task = make_task(year=2026, department=department, title="二〇二六年任务")
        milestone = make_milestone(task, due=datetime.date(2026, 10, 31), title="十月节点")
    with on(datetime.date(2026, 12, 3)):
        milestone.due = milestone.published_due = datetime.date(2027, 1, 31)
        milestone.due_change_reason = "设备延期到货"
        milestone.save()
    with on(datetime.date(2026, 12, 6)):
        spending_target.value = Decimal(700)
        spending_target._change_reason = "12月6日调整"
        spending_target.save()
    with on(datetime.date(2026, 12, 6)):
        bulletin = bulletins.make(NOVEMBER_30, "zh-hans")
    return bulletin


def row_named(bulletin, name):
    return next(row for row in bulletin.data["rows"] if row["name"] == name)


def test_the_pace_still_needed_counts_from_the_latest_figures_period(december_2026):
    # 60亿元 short after the third quarter: 20 a month over October to December, not 60 in
    # the one month after 30 November.
    assert row_named(december_2026, "全社会研发投入")["needed_per_month"] == "20"
    word = docx_text(docx_of(december_2026))
    assert "全年目标尚需每月增加20亿元" in word
    assert "全年目标尚需每月增加20亿元" in squeezed(pdf_text(december_2026))


def test_the_bulletin_says_which_periods_are_overdue_since_the_latest_figure(december_2026):
    row = row_named(december_2026, "高新技术企业")
    assert row["overdue_periods"] == ["2026-06-30", "2026-09-30"]
    assert row["needed_per_month"] == "11.1111"  # 100 more over the nine months after March
    sentence = "2026年二季度、2026年三季度数据逾期未报，所需增速自2026年一季度起算。"
    assert sentence in docx_text(docx_of(december_2026))
    assert sentence in squeezed(pdf_text(december_2026))


def test_a_bulletin_made_later_uses_the_targets_as_they_stood_on_its_day(december_2026):
    row = row_named(december_2026, "全社会研发投入")
    assert row["target"]["value"] == "600"
    assert december_2026.data["revisions"] == []
    word = docx_text(docx_of(december_2026))
    assert "600亿元" in word and "700亿元" not in word and "12月6日调整" not in word
    assert "700亿元" not in squeezed(pdf_text(december_2026))


def test_a_revision_made_by_the_end_of_the_day_is_listed(december_2026):
    with on(datetime.date(2026, 12, 6)):
        later = bulletins.make(datetime.date(2026, 12, 6), "zh-hans")
    (revision,) = later.data["revisions"]
    assert (revision["old"]["value"], revision["new"]["value"]) == ("600", "700")
    assert "12月6日调整" in docx_text(docx_of(later))


def test_the_bulletin_lists_only_its_years_tasks_with_their_overdue_milestones(december_2026):
    tasks = december_2026.data["delayed_tasks"]
    assert [(task["title"], task["late"]) for task in tasks] == [("二〇二六年任务", 1)]
    word = docx_of(december_2026)
    (table,) = [table for table in word.tables if table.rows[0].cells[0].text == "重点任务"]
    assert [cell.text for cell in table.rows[1].cells][:3] == ["二〇二六年任务", "科技创新局", "1"]
    assert "二〇二四年任务" not in squeezed(pdf_text(december_2026))


def test_an_explanation_published_after_the_day_is_not_in_the_bulletin(
    make_indicator, make_actual, source
):
    with on(datetime.date(2026, 1, 20)):
        indicator = make_indicator(name="解释指标")
        target_of_2026(indicator, source, "600")
    explained = {"progress": "十月已走访企业", "problems": "审批慢", "next_steps": "加快"}
    explained["en"] = None
    make_actual(indicator, period_end=datetime.date(2025, 12, 31), value="90")
    with on(datetime.date(2026, 10, 20)):
        make_actual(
            indicator,
            period_end=datetime.date(2026, 9, 30),
            value="100",
            published_explanation=explained,
        )
    with on(datetime.date(2026, 12, 3)):
        figure = Actual.objects.get(period_end=datetime.date(2026, 9, 30))
        figure.published_explanation = {**explained, "progress": "十二月补写的说明"}
        figure.save()
    with on(datetime.date(2026, 12, 6)):
        bulletin = bulletins.make(NOVEMBER_30, "zh-hans")
    word = docx_text(docx_of(bulletin))
    assert "十月已走访企业" in word and "十二月补写的说明" not in word


def test_a_closed_years_bulletin_lists_its_silent_task_as_not_completed_nothing_reported(
    make_task, department
):
    with on(datetime.date(2024, 2, 1)):
        make_task(year=2024, department=department, title="从未报送的任务")
    with on(datetime.date(2026, 12, 6)):
        bulletin = bulletins.make(datetime.date(2025, 1, 31), "zh-hans", year=2024)
    (task,) = bulletin.data["delayed_tasks"]
    assert (task["status"], task["reason"]) == ("not_completed", "nothing_reported")
    word = docx_text(docx_of(bulletin))
    assert "年度未完成：未报送" in word
    assert "年度未完成：未报送" in squeezed(pdf_text(bulletin))


def test_the_english_bulletin_gives_the_same_pace_and_overdue_periods(december_2026):
    with on(datetime.date(2026, 12, 6)):
        english = bulletins.make(NOVEMBER_30, "en")
    text = docx_text(docx_of(english))
    assert "it still needs 2 billion yuan more each month" in text
    assert "The figures of Q2 2026, Q3 2026 are overdue" in text
    assert "stillneeds2billionyuanmoreeachmonth" in squeezed(pdf_text(english))


def test_a_target_withdrawn_after_the_day_still_counts_in_its_bulletin(december_2026):
    target = Target.objects.get(indicator__name="高新技术企业", year=2026)
    with on(datetime.date(2026, 12, 6)):
        target.withdraw("口径调整", timezone.now())
        target.save()
        again = bulletins.make(NOVEMBER_30, "zh-hans")
    assert row_named(again, "高新技术企业")["target"]["value"] == "600"
    assert again.data["revisions"] == []
    assert "口径调整" not in docx_text(docx_of(again))
