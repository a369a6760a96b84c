import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from reports import bulletins

LANGUAGES = {"zh": "zh-hans", "en": "en"}


class Command(BaseCommand):
    help = (
        "Make the leaders' bulletin as of a day (the periods that ended by then, with the "
        "figures as published now, judged as on that day), store it as a new version and "
        "write it as Word or PDF. It is stored as a draft, listed at /bulletins/ and "
        "/en/bulletins/ once a leader approves it; --approved-by stores it approved."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, type=datetime.date.fromisoformat)
        parser.add_argument(
            "--year", type=int, help="Target year; the year of --as-of if not given."
        )
        parser.add_argument("--lang", choices=sorted(LANGUAGES), default="zh")
        parser.add_argument("--format", choices=["docx", "pdf"], required=True)
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument(
            "--approved-by",
            metavar="USERNAME",
            help="Store it approved by this user of the leader role (领导), for offices that "
            "run the command from cron; without it, it is a draft for a leader to approve.",
        )

    def handle(self, **options):
        if not options["output"].parent.is_dir():
            raise CommandError(f"No such folder: {options['output'].parent}")
        leader = None
        if options["approved_by"]:
            users = get_user_model().objects
            leader = users.filter(username=options["approved_by"]).first()
            if leader is None:
                raise CommandError(f"No user named {options['approved_by']}; nothing stored.")
        language = LANGUAGES[options["lang"]]
        try:
            bulletin = bulletins.make(
                options["as_of"], language, options["year"], approved_by=leader
            )
        except ValidationError as refused:
            reason = " ".join(refused.messages)
            raise CommandError(f"{reason} Nothing stored.") from None
        options["output"].write_bytes(bytes(getattr(bulletin, options["format"])))
        self.stdout.write(
            f"Bulletin {bulletin.as_of} ({bulletin.language}) issue {bulletin.issue}, "
            f"version {bulletin.version}, {bulletin.status}: {options['output']}"
        )
