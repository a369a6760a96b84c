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


# Issue 23, item 8: on a phone the chart's SVG scales down with its width; its text must not.
MEASURE_TEXT = """() => [...document.querySelectorAll('figure.chart svg text')].map(text => {
  const svg = text.ownerSVGElement.getBoundingClientRect();
  const box = text.getBoundingClientRect();
  const scale = text.ownerSVGElement.getScreenCTM().a;
  return {
    text: text.textContent,
    px: parseFloat(getComputedStyle(text).fontSize) * scale,
    inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5
      && box.top >= svg.top - 0.5 && box.bottom <= svg.bottom + 0.5,
  };
})"""


def test_chart_text_stays_readable_and_whole_on_a_phone(live_server, page, article, make_actual):
    indicator = Indicator.objects.get(code="synbio-valuation")
    for end, value in [((2024, 3, 31), "150"), ((2024, 6, 30), "240"), ((2024, 12, 31), "420")]:
        make_actual(indicator, period_end=datetime.date(*end), value=value)
    make_actual(indicator, period_end=datetime.date(2025, 12, 31), value="2480")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/en/indicators/synbio-valuation/?year=2024")
    texts = page.evaluate(MEASURE_TEXT)
    page.locator("figure.chart").first.screenshot(path="/tmp/chart-phone-375.png")
    page.locator("figure.chart").last.screenshot(path="/tmp/years-chart-phone-375.png")
    assert {"billion yuan", "Target", "2024"} <= {text["text"] for text in texts}
    assert min(text["px"] for text in texts) >= 11, texts
    assert all(text["inside"] for text in texts), [t for t in texts if not t["inside"]]
