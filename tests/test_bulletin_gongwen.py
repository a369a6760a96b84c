"""The bulletin as a 公文 (GB/T 9704) and its approval by a leader (issue 27)."""

import datetime
import importlib
import shutil
import subprocess
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from docx.oxml.ns import qn
from PIL import Image

from kpis import roles
from kpis.models import Bulletin
from reports import bulletins
from tests.conftest import make_user
from tests.test_bulletins import JUNE, MARCH, docx_of, pdf_text, sample, squeezed
from tests.test_reminders import Hook, hook_server  # noqa: F401 - the robot fixture

__all__ = ["sample"]  # the fixture, imported from the bulletin's tests

TODAY = datetime.datetime(2026, 12, 6, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
SCREENSHOT = (
    Path(__file__).resolve().parents[1] / "docs" / "screenshots" / "bulletin-libreoffice-page1.png"
)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def draft(as_of=JUNE, language="zh-hans", user=None):
    return bulletins.make(as_of, language, user=user)


def approved(leader, as_of=JUNE, language="zh-hans"):
    return bulletins.make(as_of, language, approved_by=leader)


def style_fonts(style):
    fonts = style.element.rPr.find(qn("w:rFonts"))
    return {key: fonts.get(qn(f"w:{key}")) for key in ("ascii", "eastAsia")}


# The 公文's form in the Word file


def test_the_word_file_declares_the_fonts_gb_t_9704_asks_for(sample, leader):
    document = docx_of(approved(leader))
    styles = document.styles
    expected = {
        "Gongwen Body": ("仿宋_GB2312", 16),
        "Gongwen Heading 1": ("黑体", 16),
        "Gongwen Heading 2": ("楷体_GB2312", 16),
        "Gongwen Title": ("方正小标宋简体", 22),
        "Gongwen Issuer": ("方正小标宋简体", 30),
    }
    for name, (font, size) in expected.items():
        assert style_fonts(styles[name])["eastAsia"] == font, name
        assert styles[name].font.size.pt == size, name
    assert style_fonts(styles["Normal"])["eastAsia"] == "仿宋_GB2312"
    # ...and on every run of the paragraphs in those styles, as WPS reads them.
    used = {}
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            fonts = run._r.rPr.find(qn("w:rFonts"))
            used.setdefault(paragraph.style.name, set()).add(fonts.get(qn("w:eastAsia")))
    assert used["Gongwen Heading 1"] == {"黑体"}
    assert used["Gongwen Heading 2"] == {"楷体_GB2312"}
    assert used["Gongwen Title"] == used["Gongwen Issuer"] == {"方正小标宋简体"}
    assert used["Gongwen Body"] == {"仿宋_GB2312"}
    # No paragraph takes Word's Title or Heading styles (their theme colour and blue rule).
    assert not {name for name in used if name.startswith(("Title", "Heading"))}
    # The table cells declare theirs too.
    cell = document.tables[0].rows[1].cells[0]._tc
    assert cell.find(f".//{W}rFonts").get(f"{W}eastAsia") == "仿宋_GB2312"


def test_indents_and_exact_line_heights_are_paragraph_properties_of_the_styles(sample, leader):
    styles = docx_of(approved(leader)).styles
    body = styles["Gongwen Body"].element.pPr
    indent, spacing = body.find(qn("w:ind")), body.find(qn("w:spacing"))
    assert indent.get(qn("w:firstLineChars")) == "200"  # two characters: WPS, Word
    assert indent.get(qn("w:firstLine")) == "640"  # 2 × 16 pt in twips: LibreOffice
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("578", "exact")
    heading = styles["Gongwen Heading 1"].element.pPr
    assert heading.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert heading.find(qn("w:outlineLvl")).get(qn("w:val")) == "1"
    table = styles["Gongwen Table"].element.pPr
    assert table.find(qn("w:ind")).get(qn("w:firstLine")) == "0"  # cells are not indented


def test_the_red_header_the_document_number_and_the_imprint(sample, leader):
    document = docx_of(approved(leader))
    issuer, number, title = document.paragraphs[:3]
    assert issuer.text == "光明区人民政府办公室" and issuer.style.name == "Gongwen Issuer"
    assert str(issuer.style.font.color.rgb) == "FF0000"
    assert number.text == "光统通〔2024〕1号"
    rule = number.style.element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (rule.get(qn("w:color")), rule.get(qn("w:val"))) == ("FF0000", "single")
    assert title.text == "光明区2024年目标进展情况通报（第二季度）"
    imprint = document.paragraphs[-1]
    assert imprint.text == "光明区人民政府办公室\t2026年12月6日印发"
    assert imprint.style.name == "Gongwen Imprint"
    signature = [p.text for p in document.paragraphs if p.style.name == "Gongwen Signature"]
    assert signature == ["光明区人民政府办公室", "2026年12月6日"]


def test_the_pdf_has_the_red_header_number_and_imprint(sample, leader):
    text = squeezed(pdf_text(approved(leader)))
    assert text.startswith("光明区人民政府办公室光统通〔2024〕1号光明区2024年目标进展情况通报")
    assert "光明区人民政府办公室2026年12月6日印发" in text


def test_the_document_number_counts_per_year_with_the_office_prefix(sample, leader, settings):
    settings.BULLETIN_NUMBER_PREFIX = "光统发"
    numbers = [
        docx_of(approved(leader, day)).paragraphs[1].text
        for day in (MARCH, JUNE, JUNE, datetime.date(2025, 3, 31))
    ]
    assert numbers == [
        "光统发〔2024〕1号",
        "光统发〔2024〕2号",
        "光统发〔2024〕2号",
        "光统发〔2025〕1号",
    ]
    english = docx_of(approved(leader, JUNE, "en"))
    assert english.paragraphs[1].text == "GTT [2024] No. 1"
    assert english.paragraphs[-1].text.endswith("\tPrinted and issued on Dec. 6, 2026")


def test_libreoffice_keeps_the_red_header_the_fonts_and_the_indents(sample, leader, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: `make bulletin-deps` installs libreoffice-writer"
    bulletin = approved(leader)
    word = tmp_path / "bulletin.docx"
    word.write_bytes(bytes(bulletin.docx))
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(word)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    page = pypdf.PdfReader(tmp_path / "bulletin.pdf").pages[0]
    lines = []
    page.extract_text(
        visitor_text=lambda text, cm, tm, *_: text.strip() and lines.append((text, cm, tm))
    )
    text = squeezed("".join(text for text, *_ in lines))
    assert text.startswith("光明区人民政府办公室光统通〔2024〕1号光明区2024年目标进展情况通报")
    # The summary paragraph: its first line starts two characters (2 × 16 pt) right of the
    # next, and the lines stand 28.9 pt apart, as the styles say.
    starts = [(x, y) for text, cm, tm in lines for x, y in [position(cm, tm)]]
    first = next(i for i, (text, *_) in enumerate(lines) if text.strip().startswith("截至"))
    (x1, y1), (x2, y2) = (
        starts[first],
        next((x, y) for x, y in starts[first + 1 :] if y < starts[first][1] - 1),
    )
    assert x1 - x2 == pytest.approx(32, abs=1.5)
    assert y1 - y2 == pytest.approx(28.9, abs=0.5)
    # Page 1 as LibreOffice lays it out: the header is red, and no blue rule under the title.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
         str(tmp_path / "bulletin.pdf"), str(SCREENSHOT.with_suffix(""))],
        check=True,
    )  # fmt: skip
    image = Image.open(SCREENSHOT).convert("RGB")
    width, height = image.size
    pixels = list(image.get_flattened_data())
    red = [i for i, (r, g, b) in enumerate(pixels) if r > 200 and g < 80 and b < 80]
    blue = [i for i, (r, g, b) in enumerate(pixels) if b > 150 and r < 100 and g < 160]
    assert len(red) > 500 and not blue
    assert max(i // width for i in red) < height * 0.3  # the header and its rule, on top


def position(cm, tm):
    x, y = tm[4], tm[5]
    return x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]


# Approval by a leader


def test_the_leader_role_reads_and_approves_bulletins_and_nothing_else(db):
    leader = Group.objects.get(name=roles.LEADER)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in leader.permissions.all()}
    assert granted == {"kpis.view_bulletin", "kpis.approve_bulletin"}


def test_a_new_bulletin_is_a_draft_neither_listed_nor_public(sample, anonymous):
    bulletin = draft()
    assert bulletin.status == Bulletin.Status.DRAFT and bulletin.approved_by is None
    assert "2024-06-30" not in anonymous.get("/bulletins/").content.decode()
    assert anonymous.get("/bulletins/2024-06-30.docx").status_code == 404
    assert anonymous.get("/bulletins/2024-06-30.pdf?version=1").status_code == 404


def test_leaders_and_reviewers_download_a_draft_officials_do_not(
    sample, client, leader, reviewer, official
):
    bulletin = draft()
    for user in (leader, reviewer):
        client.force_login(user)
        response = client.get("/bulletins/2024-06-30.docx?version=1")
        assert response.content == bytes(bulletin.docx), user
        assert "/bulletins/2024-06-30.pdf?version=1" in client.get("/bulletins/").content.decode()
    client.force_login(official)
    assert client.get("/bulletins/2024-06-30.docx?version=1").status_code == 404


def test_a_leader_approves_a_draft_and_then_it_is_public(sample, client, leader, anonymous):
    bulletin = draft()
    client.force_login(leader)
    page = client.get("/my/bulletins/").content.decode()
    assert f'action="/my/bulletins/{bulletin.pk}/approve/"' in page
    response = client.post(f"/my/bulletins/{bulletin.pk}/approve/", follow=True)
    assert "已批准" in response.content.decode()
    bulletin.refresh_from_db()
    assert (bulletin.status, bulletin.approved_by) == (Bulletin.Status.APPROVED, leader)
    assert bulletin.approved_at is not None
    (entry,) = LogEntry.objects.filter(object_id=str(bulletin.pk))
    assert (entry.user, entry.change_message) == (leader, "Approved.")
    assert anonymous.get("/bulletins/2024-06-30.docx").content == bytes(bulletin.docx)
    assert "当前版本" in anonymous.get("/bulletins/").content.decode()


def test_only_a_leader_approves_and_never_a_bulletin_they_made(sample, reviewer, admin_user):
    bulletin = draft(user=reviewer)
    for user in (reviewer, admin_user):  # a reviewer, a superuser: not leaders
        with pytest.raises(ValidationError):
            bulletin.approve(user)
    maker = make_user("leading_maker", roles.LEADER)
    own = draft(user=maker)
    with pytest.raises(ValidationError, match="其他人"):
        own.approve(maker)
    assert not Bulletin.objects.approved().exists()


def test_a_reviewer_cannot_approve_through_the_page(sample, client, reviewer):
    bulletin = draft()
    client.force_login(reviewer)
    assert client.post(f"/my/bulletins/{bulletin.pk}/approve/").status_code == 403
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.DRAFT


def test_the_current_version_of_a_day_is_its_latest_approved_one(sample, leader, anonymous):
    first = approved(leader)
    later_draft = draft()
    assert later_draft.version == 2
    assert anonymous.get("/bulletins/2024-06-30.docx").content == bytes(first.docx)
    html = anonymous.get("/bulletins/").content.decode()
    listed = html.split('class="file-list bulletins"')[1].split("</ul>")[0]
    assert listed.count("当前版本") == 1 and "第1版" in listed and "第2版" not in listed
    later_draft.approve(leader)
    assert anonymous.get("/bulletins/2024-06-30.docx").content == bytes(later_draft.docx)


def test_send_bulletin_posts_only_approved_bulletins(
    sample,
    department,
    leader,
    hook_server,  # noqa: F811 - the fixture imported above
):
    department.webhook_url = hook_server
    department.save()
    bulletin = draft()
    with pytest.raises(CommandError, match="approved"):
        call_command("send_bulletin", stdout=StringIO())
    assert Hook.received == []
    bulletin.approve(leader)
    call_command("send_bulletin", stdout=StringIO())
    assert len(Hook.received) == 1


def test_the_command_stores_a_draft_or_one_approved_by_a_leader(sample, leader, tmp_path):
    output = tmp_path / "q2.docx"
    arguments = ["--as-of", "2024-06-30", "--format", "docx", "--output", str(output)]
    call_command("bulletin", *arguments, stdout=StringIO())
    assert Bulletin.objects.get().status == Bulletin.Status.DRAFT
    call_command("bulletin", *arguments, "--approved-by", "leader", stdout=StringIO())
    latest = Bulletin.objects.order_by("-version").first()
    assert (latest.status, latest.approved_by) == (Bulletin.Status.APPROVED, leader)
    assert output.read_bytes() == bytes(latest.docx)


@pytest.mark.parametrize("username", ["reviewer", "nobody"])
def test_the_command_refuses_an_approver_who_is_not_a_leader(sample, reviewer, tmp_path, username):
    output = tmp_path / "q2.docx"
    with pytest.raises(CommandError, match="Nothing stored|nothing stored"):
        call_command(
            "bulletin", "--as-of", "2024-06-30", "--format", "docx", "--output", str(output),
            "--approved-by", username, stdout=StringIO(),
        )  # fmt: skip
    assert not Bulletin.objects.exists() and not output.exists()


def test_a_leader_signing_in_lands_on_the_bulletins_to_approve(sample, client, leader):
    draft()
    client.force_login(leader)
    response = client.get("/my/", follow=True)
    assert response.redirect_chain[-1][0] == "/my/bulletins/"
    assert "批准并公开" in response.content.decode()


def test_an_official_has_no_bulletins_to_approve_page(client, official):
    client.force_login(official)
    assert client.get("/my/bulletins/").status_code == 403


def test_bulletins_made_before_the_approval_step_count_as_approved(sample, anonymous):
    from django.apps import apps

    approval = importlib.import_module("kpis.migrations.0033_bulletin_approval")
    earlier = draft()
    approval.approve_existing(apps, None)
    earlier.refresh_from_db()
    assert (earlier.status, earlier.approved_at) == (Bulletin.Status.APPROVED, earlier.created_at)
    assert anonymous.get("/bulletins/2024-06-30.pdf").content == bytes(earlier.pdf)


def test_the_platform_role_code_leader_gives_the_leader_role_and_its_landing(department):
    from identity.landing import landing_url
    from identity.models import PlatformAccount

    user = PlatformAccount.objects.sign_in(
        PlatformAccount.Provider.OIDC,
        "4403-0009",
        username="zhao.ld",
        role_codes=["leader"],
        department_codes=[],
    )
    assert set(user.groups.values_list("name", flat=True)) == {roles.LEADER}
    assert landing_url(user, "/my/") == "/my/bulletins/"  # their work, not the no-role page
    assert roles.lands_on_bulletins(user)
