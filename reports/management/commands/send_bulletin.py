import datetime

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kpis import webhooks
from kpis.models import Bulletin, Department, Reminder
from reports import bulletins


class Command(BaseCommand):
    help = (
        "Post the newest bulletin (or the current version of --as-of's) to each "
        "department's WeCom or DingTalk robot: its summary, the department's lagging "
        "targets and the links to the Word and PDF files, as a markdown message in the "
        "site's language. Each department gets each version once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=datetime.date.fromisoformat)

    def handle(self, **options):
        language = settings.LANGUAGE_CODE
        found = Bulletin.objects.in_language(language)
        if options["as_of"]:
            found = found.filter(as_of=options["as_of"])
        bulletin = found.order_by("-as_of", "-version").first()
        if bulletin is None:
            raise CommandError("No bulletin to send: make one first (manage.py bulletin).")
        subject = f"bulletin:{bulletin.as_of.isoformat()}:v{bulletin.version}"
        posted = 0
        for department in webhooks.usable(Department.objects.all(), self.stderr.write):
            sent = Reminder.objects.filter(department=department, stage=Reminder.Stage.BULLETIN)
            if sent.filter(subject=subject).exists():
                continue
            with translation.override(language):
                title, text = message(bulletin, department)
            payload = webhooks.markdown(department.webhook_url, title, text)
            if not webhooks.deliver(department, payload, self.stderr.write):
                continue
            Reminder.objects.create(
                department=department, stage=Reminder.Stage.BULLETIN, subject=subject
            )
            posted += 1
        self.stdout.write(f"Bulletin {bulletin} posted to {posted} department robots.")


def message(bulletin, department):
    """The robot's markdown: title, summary, the department's own laggards, the links."""
    document = bulletins.content(bulletin)
    lines = [f"**{document.title}**", document.issue_line, "", bulletins.summary(bulletin.data)]
    own = [
        row
        for row in bulletins.laggards(bulletin.data["rows"])
        if row["department"] == department.display_name
    ]
    if own:
        lines += [
            "",
            _("Lagging targets of %(department)s:") % {"department": department.display_name},
        ]
        lines += [
            "- "
            + _("%(label)s: %(text)s")
            % {"label": row["name"], "text": bulletins.status_word(row["status"])}
            for row in own
        ]
    links = {
        kind: settings.SITE_URL + reverse("bulletin_file", args=[bulletin.as_of, kind])
        for kind in ("pdf", "docx")
    }
    lines += ["", f"[PDF]({links['pdf']}) · [Word]({links['docx']})"]
    return document.title, "\n".join(lines)
