from django import forms

from kpis.forms import ReviewedForm, https_urls
from tasks.models import Milestone, ProgressStatement


class EntryForm(ReviewedForm):
    """Entry of a milestone or a progress statement, on /my/ and in the admin alike, with
    the rules of every reviewed entry (kpis.forms.ReviewedForm)."""

    fixed_fields = ("task",)


class MilestoneForm(EntryForm):
    class Meta:
        model = Milestone
        fields = ["task", "title", "title_en", "due", "done", "due_change_reason", "evidence"]
        formfield_callback = https_urls
        widgets = {
            "due": forms.DateInput(attrs={"type": "date"}),
            "done": forms.DateInput(attrs={"type": "date"}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }


class StatementForm(EntryForm):
    class Meta:
        model = ProgressStatement
        fields = ["task", "period_end", "text", "text_en", "percent", "completes"]
        widgets = {
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "text": forms.Textarea(attrs={"rows": 5}),
            "text_en": forms.Textarea(attrs={"rows": 5}),
            "percent": forms.NumberInput(attrs={"min": 0, "max": 100}),
        }
