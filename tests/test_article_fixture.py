"""The article's figures, checked one by one against the article itself."""

from decimal import Decimal
from pathlib import Path

import pytest

from kpis.models import Indicator, Source, Target

ARTICLE = Path(__file__).resolve().parents[2] / "shared/seed/000_d14608ca280c34cf.txt"

# code: (baseline 2023 as (value, qualifier) or None, target 2024 as (value, qualifier) or None,
#        the words of the article that state the figure)
EXPECTED = {
    "high-tech-enterprises": (("2000", "over"), None, "國家高新技術企業突破2000家"),
    "rd-spending": (("100", "over"), None, "研發投入首次突破100億元"),
    "key-research-projects": (("200", "over"), None, "重點科研項目超200個"),
    "innovation-platforms": (("20", "reach"), None, "在建和運營數達到20個"),
    "major-research-institutes": (("9", "reach"), None, "9個“大院大所”項目"),
    "innovation-consortia": (("50", "over"), None, "創新聯合體數量突破50個"),
    "technology-brokers": (("100", "over"), None, "技術經紀人超百人"),
    "sei-share-of-gdp": (("60", "over"), None, "占GDP比重突破六成"),
    "future-industries-growth": (("70", "over"), None, "未來產業產值增長超70%"),
    "srdi-enterprises": (("751", "reach"), None, "專精特新企業增至751家"),
    "little-giant-enterprises": (("56", "reach"), None, "“小巨人”企業56家"),
    "synbio-valuation": (None, ("400", "over"), "集群整體估值超400億元"),
    "synbio-billion-yuan-enterprises": (None, ("12", "reach"), "估值10億元以上企業數量達12家"),
    "brain-science-enterprises": (None, ("60", "over"), "企業總量超60家"),
    "brain-science-valuation": (None, ("80", "over"), "估值超80億元"),
    "sci-tech-finance-products": (("65", "reach"), None, "各類科技金融產品達65個"),
    "finance-tower-institutions": (("20", "reach"), None, "等金融機構20家"),
    "industry-funds": (("3", "reach"), None, "3只產業基金落地光明"),
    "industry-fund-scale": (("75", "reach"), None, "總規模75億元"),
    "industry-funds-in-operation": (
        None,
        ("3", "reach"),
        "推動智能傳感產業基金等3只產業基金實質化運營",
    ),
}


@pytest.fixture(scope="module")
def article_text():
    assert ARTICLE.exists(), f"The article is expected at {ARTICLE} (shared/seed beside the repo)"
    return ARTICLE.read_text(encoding="utf-8")


def test_every_progress_figure_of_the_article_is_an_indicator(article):
    assert set(Indicator.objects.values_list("code", flat=True)) == set(EXPECTED)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_baseline_matches_the_article(article, code):
    indicator = Indicator.objects.get(code=code)
    baseline = EXPECTED[code][0]
    if baseline is None:
        assert (indicator.baseline_year, indicator.baseline_value) == (None, None)
    else:
        assert (indicator.baseline_year, indicator.baseline_value) == (2023, Decimal(baseline[0]))
        assert indicator.baseline_qualifier == baseline[1]


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_target_matches_the_article(article, code):
    targets = list(
        Target.objects.filter(indicator__code=code).values_list("year", "value", "qualifier")
    )
    target = EXPECTED[code][1]
    assert targets == ([] if target is None else [(2024, Decimal(target[0]), target[1])])


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_quote_is_a_verbatim_sentence_of_the_article_stating_the_figure(
    article, article_text, code
):
    indicator = Indicator.objects.get(code=code)
    target = indicator.targets.first()
    quote = target.quote if target else indicator.baseline_quote
    assert quote in article_text
    assert EXPECTED[code][2] in quote


def test_all_figures_point_at_the_one_article_source(article):
    source = Source.objects.get()
    assert (source.published_on.isoformat(), source.publisher) == (
        "2024-01-31",
        "深圳特区报 (Shenzhen Special Zone Daily)",
    )
    assert not Indicator.objects.filter(baseline_value__isnull=False).exclude(source=source)
