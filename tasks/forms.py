from django import forms

from kpis.forms import https_urls
from tasks.models import Milestone, ProgressStatement, Task


class EntryForm(forms.ModelForm):
    """Entry of a milestone or a progress statement, on /my/ and in the admin alike: the
    task must be one the official's departments lead, and whoever saves is the author."""

    #: Set by the admin, which builds the form class per request.
    current_user = None

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user or self.current_user
        if "task" in self.fields:
            self.fields["task"].queryset = Task.objects.for_entry(self.user)
            if self.instance.pk:
                self.fields["task"].disabled = True

    def save(self, commit=True):
        entry = super().save(commit=False)
        entry.record_entry(self.user)
        if commit:
            entry.save()
        return entry


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
