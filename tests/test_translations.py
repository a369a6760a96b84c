"""Every interface string has a Chinese translation, and the compiled catalogue is current.

`make test` runs makemessages first, so a string added to a template or to the code without
a translation shows up here as untranslated.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1]
# The main catalogue, and each app's own (an app's strings stay in its own folder, which
# makemessages fills and Django reads by itself), with the fewest entries each must have.
CATALOGUES = {
    ROOT / "locale" / "zh_Hans" / "LC_MESSAGES": 300,
    ROOT / "identity" / "locale" / "zh_Hans" / "LC_MESSAGES": 25,
    ROOT / "tasks" / "locale" / "zh_Hans" / "LC_MESSAGES": 50,
    ROOT / "api" / "locale" / "zh_Hans" / "LC_MESSAGES": 40,
    ROOT / "catalog" / "locale" / "zh_Hans" / "LC_MESSAGES": 20,
    ROOT / "accounts" / "locale" / "zh_Hans" / "LC_MESSAGES": 40,
}
every_catalogue = pytest.mark.parametrize(
    "catalogue", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT).parents[2])
)


def entries(catalogue):
    """(msgctxt, msgid, msgstr, flags) of every entry of the .po file but its header."""
    text = (catalogue / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        if "msgid" not in block:
            continue
        fields = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[0\])?\s+"(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        if fields.get("msgid"):
            # Plural entries: Chinese has one form, msgstr[0], read here as msgstr.
            if "msgid_plural" in fields:
                flags += " plural"
            yield fields.get("msgctxt"), fields["msgid"], fields.get("msgstr", ""), flags


@every_catalogue
def test_every_interface_string_has_a_chinese_translation(catalogue):
    found = list(entries(catalogue))
    missing = [msgid for _, msgid, msgstr, flags in found if not msgstr or "fuzzy" in flags]
    assert missing == []
    assert len(found) > CATALOGUES[catalogue]  # the catalogue was read, not found empty


def test_django_finds_the_tasks_apps_own_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Key tasks and milestones") == "重点任务与节点"


def test_every_catalogue_of_the_project_is_checked():
    found = {path.parent for path in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")}
    assert found <= set(CATALOGUES)


@every_catalogue
def test_compiled_catalogue_matches_the_translations(catalogue):
    with (catalogue / "django.mo").open("rb") as compiled:
        compiled_catalogue = gettext.GNUTranslations(compiled)
    stale = []
    for context, msgid, msgstr, flags in entries(catalogue):
        msgid = msgid.encode().decode("unicode_escape").encode("latin-1").decode()
        msgstr = msgstr.encode().decode("unicode_escape").encode("latin-1").decode()
        if context:
            found = compiled_catalogue.pgettext(context, msgid)
        elif "plural" in flags:
            found = compiled_catalogue.ngettext(msgid, msgid, 1)
        else:
            found = compiled_catalogue.gettext(msgid)
        if found != msgstr:
            stale.append(msgid)
    assert stale == []
