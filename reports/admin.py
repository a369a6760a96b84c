"""The admin of the bulletins: they are kpis records, made by reports.bulletins."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from kpis.admin import RecordAdmin
from kpis.forms import BulletinForm, last_quarter_end
from kpis.models import Bulletin
from reports import bulletins


@admin.register(Bulletin)
class BulletinAdmin(RecordAdmin):
    """Bulletins are made here ("生成通报"), from /my/ or by `manage.py bulletin`, and never
    changed or removed."""

    list_display = ["as_of", "language", "issue", "version", "year", "made_by", "created_at"]
    list_filter = ["language"]
    date_hierarchy = "as_of"
    fields = ["as_of", "year", "language", "issue", "version", "made_by", "created_at", "files"]
    readonly_fields = fields
    change_list_template = "admin/kpis/bulletin/change_list.html"

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data", "docx", "pdf")

    @admin.display(description=_("files"))
    def files(self, bulletin):
        with translation.override(bulletin.language):
            links = [
                (reverse("bulletin_file", args=[bulletin.as_of, kind]), bulletin.version, kind)
                for kind in ("docx", "pdf")
            ]
        return format_html_join(" · ", '<a href="{}?version={}">{}</a>', links)

    def get_urls(self):
        view = self.admin_site.admin_view(self.make_view)
        return [path("make/", view, name="kpis_bulletin_make")] + super().get_urls()

    def make_view(self, request):
        if not request.user.has_perm("kpis.review_actual"):
            raise PermissionDenied
        initial = {"as_of": last_quarter_end(timezone.localdate()), "language": "zh-hans"}
        form = BulletinForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            chosen = form.cleaned_data
            bulletin = bulletins.make(
                chosen["as_of"], chosen["language"], chosen["year"], request.user
            )
            self.message_user(request, _("Bulletin made: %(bulletin)s") % {"bulletin": bulletin})
            return redirect("admin:kpis_bulletin_change", bulletin.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Make a bulletin"),
        }
        return TemplateResponse(request, "admin/kpis/bulletin/make.html", context)
