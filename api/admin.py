from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api.models import Token, TokenUse


class TokenUseInline(admin.TabularInline):
    model = TokenUse
    fields = ["at", "address", "method", "path", "status_code", "refusal"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-at"]

    def get_queryset(self, request):
        # The latest uses: the whole log is in the token uses' own list.
        recent = super().get_queryset(request).order_by("-at").values_list("pk", flat=True)[:20]
        return super().get_queryset(request).filter(pk__in=list(recent))


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = ["name", "key_start", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["departments"]
    search_fields = ["name"]
    filter_horizontal = ["departments"]
    fields = [
        "name",
        "departments",
        "allowed_addresses",
        "expires_at",
        "key_start",
        "account",
        "created_at",
        "created_by",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = [
        "key_start",
        "account",
        "created_at",
        "created_by",
        "revoked_at",
        "last_used_at",
    ]
    inlines = [TokenUseInline]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key = obj.issue(created_by=request.user)
        messages.warning(
            request,
            _(
                "The token's key is %(key)s. Copy it now into the system that will use it: "
                "it is kept only as a hash and will not be shown again."
            )
            % {"key": key},
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.grant(form.cleaned_data["departments"])

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            token.revoke()
        messages.success(request, _("Revoked: %(count)s tokens.") % {"count": len(queryset)})


@admin.register(TokenUse)
class TokenUseAdmin(admin.ModelAdmin):
    list_display = ["at", "token", "address", "method", "path", "status_code", "refusal"]
    list_filter = ["token", "status_code", "refusal"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
