import datetime

from kpis.models import Indicator


def test_visitor_sorts_the_table_and_finds_the_synthetic_biology_target(
    live_server, page, article, make_actual
):
    make_actual(
        Indicator.objects.get(code="brain-science-valuation"),
        period_end=datetime.date(2024, 12, 31),
        value="10",
    )
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="状态").click()
    first_row = page.locator("tbody tr").first
    assert "脑科学与类脑智能产业估值" in first_row.inner_text()
    row = page.locator("tbody tr", has_text="合成生物产业集群整体估值")
    assert "超过400亿元" in row.inner_text()


def test_visitor_reaches_an_indicator_page_and_reads_its_source(live_server, page, article):
    page.goto(live_server.url + "/en/")
    page.get_by_role("link", name="Synthetic biology cluster valuation").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Synthetic biology cluster valuation"
    )
    assert "集群整體估值超400億元" in page.locator("blockquote").inner_text()
