import datetime
import json
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from kpis.extraction import (
    IndicatorMatcher,
    Score,
    document_date,
    docx_date,
    docx_text,
    extract,
    paragraph,
    score,
)
from kpis.models import Indicator
from kpis.units import catalogue_unit_words, table_unit_words


def read_document(path):
    """The text of a .txt (UTF-8) or .docx file; a .docx's paragraphs joined by newlines."""
    path = Path(path)
    if path.suffix.lower() == ".docx":
        return docx_text(str(path))
    return path.read_text(encoding="utf-8")


def indicator_rows():
    """Every existing indicator as matching needs it; none when there is no database yet."""
    try:
        return Indicator.objects.match_rows()
    except DatabaseError:
        return []


def known_unit_words():
    """The units table's words; none when there is no database yet."""
    try:
        return table_unit_words()
    except DatabaseError:
        return set()


def candidates_with_indicators(text, date, rows):
    """The JSON form of every candidate, with the code of the indicator it matches; an
    increment or growth rate of a level indicator gets a note instead."""
    matcher = IndicatorMatcher(rows)
    found = []
    for candidate in extract(text, date, known_unit_words()):
        item = candidate.as_json()
        context = paragraph(text, candidate)
        code = matcher.match(candidate, context) if rows else None
        if code:
            item["indicator"] = code
        level = matcher.level_match(candidate, context) if rows and not code else None
        if level:
            item["note"] = level_note(candidate, level)
        found.append(item)
    return found


def level_note(candidate, code):
    """What an increment or growth rate says of a level indicator's target."""
    if candidate.measure == "increment":
        return _("新增: the target of the total (%(code)s) would be baseline + %(value)s") % {
            "code": code,
            "value": candidate.value,
        }
    return _("A growth rate: not a target of the level indicator %(code)s") % {"code": code}


def the_date(path, text, given):
    """The document's date: --date, else its dateline, else a .docx's core properties."""
    if given or document_date(text):
        return given or document_date(text)
    if Path(path).suffix.lower() == ".docx":
        return docx_date(str(path))
    return None


def evaluate(directory):
    """(name, meta, Score or None) for each document of a corpus folder, None when absent.

    Each document is a JSON file naming its text file ("document", relative to it), its
    date and its hand-made list of figures as [kind, year, value, unit, qualifier].
    """
    results = []
    for path in sorted(Path(directory).glob("*.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        document = path.parent / meta["document"]
        if not document.exists():
            results.append((path.stem, meta, None))
            continue
        date = datetime.date.fromisoformat(meta["date"]) if meta.get("date") else None
        found = extract(read_document(document), date, catalogue_unit_words())
        results.append((path.stem, meta, score(found, meta["figures"])))
    return results


class Command(BaseCommand):
    help = (
        "Propose every numeric target and result of a report (.txt in UTF-8, or .docx) with "
        "its sentence; --json prints the candidates as JSON (see docs/extraction.md). "
        "--evaluate DIR scores the extractor against a corpus of hand-checked documents."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the document: .txt (UTF-8) or .docx")
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="the document's date, YYYY-MM-DD, for 今年/去年/全年 (else its dateline)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--text", action="store_true", help="print the text that the offsets refer to"
        )
        parser.add_argument("--evaluate", metavar="DIR", help="score against a corpus folder")

    def handle(self, *args, **options):
        if options["evaluate"]:
            return self.print_evaluation(options["evaluate"])
        path = options["path"]
        if not path:
            raise CommandError("Give the document's path, or --evaluate DIR.")
        try:
            document = read_document(path)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        if options["text"]:
            self.stdout.write(document, ending="")
            return
        date = the_date(path, document, options["date"])
        found = candidates_with_indicators(document, date, indicator_rows())
        if options["json"]:
            self.stdout.write(json.dumps(found, ensure_ascii=False, indent=2))
            return
        for item in found:
            year = item["year"] or "----"
            figure = f"{item['qualifier'] or '':8} {item['value']}{item['unit']}"
            indicator = f"  → {item['indicator']}" if "indicator" in item else ""
            self.stdout.write(f"{item['kind']:6} {year} {figure:24} {item['subject']}{indicator}")
        self.stdout.write(f"{len(found)} candidates")

    def print_evaluation(self, directory):
        if not Path(directory).is_dir():
            raise CommandError(f"No folder {directory}")
        total = Score(0, 0, 0)
        for name, meta, result in evaluate(directory):
            if result is None:
                self.stdout.write(f"{name}: document {meta['document']} not found, skipped")
                continue
            total += result
            self.stdout.write(_score_line(name, result, meta.get("tuned")))
        self.stdout.write(_score_line("overall", total, None))


def _score_line(name, result, tuned):
    note = "" if tuned is None else (" (tuned on)" if tuned else " (not tuned on)")
    return (
        f"{name}: recall {result.recall:.1%} ({result.matched}/{result.expected}), "
        f"precision {result.precision:.1%} ({result.matched}/{result.found}){note}"
    )
