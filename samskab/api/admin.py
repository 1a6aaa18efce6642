"""API tokens in the admin: made with a name and a user, shown once, then only revoked."""

from django.contrib import admin
from django.template.response import TemplateResponse

from samskab.api.models import ApiToken
from samskab.api.tokens import api_token_create


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    search_fields = ["name", "user__email"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            from samskab.accounts.models import User

            # Tokens act for staff (an operator, typically), never for citizens.
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "user"]
        return ["name", "user", "prefix", "created_at", "last_used_at"]

    def get_readonly_fields(self, request, obj=None):
        # A token's user never changes: make a new token instead.
        return [*self.readonly_fields, "user"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        token, raw = api_token_create(user=obj.user, name=obj.name)
        obj.pk, obj.token_hash, obj.prefix = token.pk, token.token_hash, token.prefix
        obj.created_at = token.created_at
        obj._raw_token = raw

    def response_add(self, request, obj, post_url_continue=None):
        # The only time the token is ever shown: on this page, not in a message or a log.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "token": obj,
            "raw_token": obj._raw_token,
            "title": obj.name,
        }
        response = TemplateResponse(request, "admin/api/apitoken/created.html", context)
        response["Cache-Control"] = "no-store"
        return response
