"""The platform code table, and users whose roles and departments the platform decides."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from identity.models import PlatformAccount, PlatformCode
from kpis.admin import DepartmentAdmin
from kpis.models import Department


@admin.register(PlatformCode)
class PlatformCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "department", "role"]
    list_filter = ["role"]
    search_fields = ["code", "department__name", "department__code"]
    autocomplete_fields = ["department"]


class PlatformAccountInline(admin.TabularInline):
    model = PlatformAccount
    extra = 0
    fields = ["provider", "subject", "last_sign_in"]
    readonly_fields = ["last_sign_in"]


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class TrackerUserAdmin(UserAdmin):
    inlines = [PlatformAccountInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.platform_accounts.exists():
            fields += ["groups", "platform_departments"]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.platform_accounts.exists():
            return fieldsets
        return [
            *fieldsets,
            (
                _("Decided by the identity platform at each sign-in"),
                {"fields": ["platform_departments"]},
            ),
        ]

    @admin.display(description=_("departments"))
    def platform_departments(self, obj):
        return ", ".join(department.name for department in obj.departments.all()) or "—"


admin.site.unregister(Department)


@admin.register(Department)
class PlatformAwareDepartmentAdmin(DepartmentAdmin):
    """Members the platform signs in are not chosen here: the field lists local users only,
    and saving keeps the platform's members as they are."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = get_user_model().objects.filter(platform_accounts__isnull=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        managed = list(form.instance.members.filter(platform_accounts__isnull=False))
        super().save_related(request, form, formsets, change)
        form.instance.members.add(*managed)
