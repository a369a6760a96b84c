"""`manage.py extract_targets` on real documents: the seed article and tests/documents/.

Each document of tests/documents/ has a JSON file with its address and the figures a person
found in it; the evaluation compares the extractor's candidates with them field by field.
"""

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import docx
import pytest
from django.core.management import CommandError, call_command

from kpis.extraction import extract, simplified
from kpis.management.commands.extract_targets import evaluate
from tests.conftest import SEED

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests/documents"
# The corpus as it was measured on 2026-12-01; the documents added since (kinds it lacked:
# sections, five-year reviews, periods, tables, places) have their own test below.
FIRST_CORPUS = {
    "seed-article-2024",
    "guangdong-2024-targets",
    "guangdong-2025-work-report-traditional",
    "guangming-2021-five-year-goals",
    "guangming-2023-plan-execution",
    "guangming-2025-work-report",
    "longgang-2025-work-report",
    "longhua-2024-work-report-news",
    "nanshan-2025-work-report-news",
    "shenzhen-2024-work-report",
    "shenzhen-2025-work-report-traditional",
}


def first_corpus():
    return [(name, meta, result) for name, meta, result in evaluate(CORPUS) if name in FIRST_CORPUS]


def fixture_figures():
    """(code, kind, year, value, unit, qualifier, quote) of every figure of the article fixture."""
    rows = json.loads((REPO / "fixtures/article_2024.json").read_text(encoding="utf-8"))
    indicators = {row["pk"]: row["fields"] for row in rows if row["model"] == "kpis.indicator"}
    for fields in indicators.values():
        if fields["baseline_value"] is not None:
            yield (
                fields["code"],
                "result",
                fields["baseline_year"],
                fields["baseline_value"],
                fields["unit"],
                fields["baseline_qualifier"],
                fields["baseline_quote"],
            )
    for row in rows:
        if row["model"] == "kpis.target":
            fields = row["fields"]
            indicator = indicators[fields["indicator"]]
            yield (
                indicator["code"],
                "target",
                fields["year"],
                fields["value"],
                indicator["unit"],
                fields["qualifier"],
                fields["quote"],
            )


def proposes(candidate, kind, year, value, unit, qualifier):
    # The tracker stores a figure the text states without a qualifier word as "reach".
    return (
        (candidate.kind, candidate.year) == (kind, year)
        and Decimal(candidate.value) == Decimal(value)
        and simplified(candidate.unit) == unit
        and (candidate.qualifier or "reach") == qualifier
    )


def test_every_figure_of_the_article_fixture_is_proposed_with_its_sentence(seed_text):
    candidates = extract(seed_text)
    missing = [
        code
        for code, *figure, quote in fixture_figures()
        if not any(proposes(c, *figure) and c.quote in quote for c in candidates)
    ]
    assert missing == []


def test_every_figure_of_the_article_is_matched_to_its_existing_indicator(article, seed_text):
    out = StringIO()
    call_command("extract_targets", str(SEED), "--json", stdout=out)
    found = json.loads(out.getvalue())
    wrong = [
        code
        for code, kind, year, value, *_ in fixture_figures()
        if not any(
            (c["kind"], c["year"], Decimal(c["value"]), c.get("indicator"))
            == (kind, year, Decimal(value), code)
            for c in found
        )
    ]
    assert wrong == []


def test_the_corpus_has_real_documents_of_both_scripts_with_their_addresses():
    metas = [json.loads(path.read_text(encoding="utf-8")) for path in CORPUS.glob("*.json")]
    assert all(meta["url"] or "shared/seed" in meta["document"] for meta in metas)
    assert {meta["script"] for meta in metas} == {"traditional", "simplified"}


def test_the_evaluation_reaches_its_thresholds_on_every_document(seed_text):
    results = {name: (meta, result) for name, meta, result in first_corpus()}
    assert len(results) == len(FIRST_CORPUS)
    assert results["seed-article-2024"][1].recall == 1.0
    # The lowest measured on one document: 5 of 6 (nanshan, never tuned on).
    assert all(result.recall >= 0.8 and result.precision >= 0.8 for _, result in results.values())


def test_the_evaluation_on_documents_not_tuned_on_reaches_95_per_cent(seed_text):
    # Measured: 40 of 42 figures found, 40 of 42 candidates right, on four documents.
    scores = [result for _, meta, result in first_corpus() if not meta["tuned"]]
    total = sum(scores[1:], scores[0])
    assert len(scores) >= 3
    assert total.recall >= 0.95 and total.precision >= 0.95


def test_evaluate_prints_recall_and_precision_per_document_and_overall(seed_text):
    out = StringIO()
    call_command("extract_targets", "--evaluate", str(CORPUS), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("anhui-2024-future-industries-action-plan: recall")
    guangdong = "guangdong-2024-targets: recall 100.0% (11/11), precision 100.0% (11/11) (tuned on)"
    assert guangdong in lines
    assert lines[-1].startswith("overall: recall")


@pytest.fixture
def report(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("今年全区企业力争突破8万家。\n去年全区地区生产总值1721亿元。", encoding="utf-8")
    return path


def test_the_json_list_follows_the_contract(db, report):
    out = StringIO()
    call_command("extract_targets", str(report), "--date", "2025-02-01", "--json", stdout=out)
    first, second = json.loads(out.getvalue())
    assert {key: first[key] for key in ("kind", "year", "value", "unit", "qualifier")} == {
        "kind": "target",
        "year": 2025,
        "value": "8",
        "unit": "万家",
        "qualifier": "over",
    }
    assert (second["kind"], second["year"]) == ("result", 2024)
    text = report.read_text(encoding="utf-8")
    assert second["quote"] == text[second["start"] : second["end"]]
    assert second["quote"] == "去年全区地区生产总值1721亿元。"


def test_the_readable_table_lists_every_candidate(db, report):
    out = StringIO()
    call_command("extract_targets", str(report), "--date", "2025-02-01", stdout=out)
    assert out.getvalue().splitlines()[-1] == "2 candidates"


def test_a_word_document_is_read_as_its_paragraphs_joined_by_newlines(db, tmp_path):
    document = docx.Document()
    document.add_paragraph("一、2024年工作回顾")
    document.add_paragraph("全年地区生产总值实现1721亿元、增长8.6%。")
    path = tmp_path / "report.docx"
    document.save(path)
    text, found = StringIO(), StringIO()
    call_command("extract_targets", str(path), "--text", stdout=text)
    call_command("extract_targets", str(path), "--date", "2025-03-02", "--json", stdout=found)
    first = json.loads(found.getvalue())[0]
    assert text.getvalue() == "一、2024年工作回顾\n全年地区生产总值实现1721亿元、增长8.6%。"
    assert text.getvalue()[first["start"] : first["end"]] == first["quote"]


def test_a_missing_or_unreadable_file_is_a_plain_error(tmp_path):
    latin = tmp_path / "report.txt"
    latin.write_bytes("全区企业超2000家".encode("gbk"))
    for path in (tmp_path / "missing.txt", latin):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("extract_targets", str(path), "--json", stdout=StringIO())


def test_the_documents_of_kinds_the_first_corpus_lacked_reach_their_measured_scores():
    # Measured after the rules for sections, periods, places and tables: 116 of 121 figures
    # found, 116 of 121 candidates right (the ten's first runs: 56 of 93, 56 of 81; the two
    # added after the rules, never tuned on: 27 of 28, 27 of 29).
    added = [(meta, result) for name, meta, result in evaluate(CORPUS) if name not in FIRST_CORPUS]
    total = sum((result for _, result in added[1:]), added[0][1])
    assert len(added) >= 8
    assert all(meta["first_run"] and meta["url"] for meta, _ in added)
    assert total.recall >= 0.95 and total.precision >= 0.95
    results = {meta["document"]: result for meta, result in added}
    assert results["bengbu-2024-communique-table.docx"].recall == 1.0  # the table's cells


def test_a_word_documents_table_is_read_row_by_row(db, tmp_path):
    document = docx.Document()
    document.add_paragraph("2024年全市地区生产总值及其增长速度")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(
        table.rows[0].cells, ("指标", "绝对数(亿元)", "比上年增长%"), strict=True
    ):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("地区生产总值", "2313.0", "5.2"), strict=True):
        cell.text = text
    path = tmp_path / "table.docx"
    document.save(path)
    out = StringIO()
    call_command("extract_targets", str(path), "--date", "2025-03-31", "--json", stdout=out)
    found = json.loads(out.getvalue())
    assert [(c["year"], c["value"], c["unit"], c["measure"]) for c in found] == [
        (2024, "2313.0", "亿元", "level"),
        (2024, "5.2", "%", "growth"),
    ]


def test_a_word_documents_core_properties_date_it(db, tmp_path):
    import datetime

    document = docx.Document()
    document.add_paragraph("去年全区企业达到751家。")
    document.core_properties.created = datetime.datetime(2024, 2, 1)
    path = tmp_path / "dated.docx"
    document.save(path)
    out = StringIO()
    call_command("extract_targets", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())[0]["year"] == 2023


def test_the_documents_never_tuned_on_since_the_rules_reach_the_goal():
    # Added after the rules of 2026-12-06 and run once: 27 of 28 found, 27 of 29 right.
    never = [
        result
        for name, meta, result in evaluate(CORPUS)
        if name not in FIRST_CORPUS and not meta["tuned"]
    ]
    total = sum(never[1:], never[0])
    assert len(never) >= 2
    assert total.recall >= 0.90 and total.precision >= 0.85
