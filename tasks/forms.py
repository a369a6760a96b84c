from django import forms

from kpis.forms import EVIDENCE_WIDGETS, ReviewedForm, https_urls
from tasks.models import Milestone, ProgressStatement


class EntryForm(ReviewedForm):
    """Entry of a milestone or a progress statement, on /my/ and in the admin alike, with
    the rules of every reviewed entry (kpis.forms.ReviewedForm)."""

    fixed_fields = ("task",)


class MilestoneForm(EntryForm):
    class Meta:
        model = Milestone
        fields = [
            "task",
            "title",
            "title_en",
            "due",
            "done",
            "due_change_reason",
            "evidence",
            "evidence_file",
        ]
        formfield_callback = https_urls
        widgets = {
            "due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "done": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "evidence": forms.Textarea(attrs={"rows": 3}),
            **EVIDENCE_WIDGETS,
        }


class StatementForm(EntryForm):
    class Meta:
        model = ProgressStatement
        fields = ["task", "period_end", "text", "text_en", "percent", "completes", "evidence_file"]
        widgets = {
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 5}),
            "text_en": forms.Textarea(attrs={"rows": 5}),
            "percent": forms.NumberInput(attrs={"min": 0, "max": 100}),
            **EVIDENCE_WIDGETS,
        }
