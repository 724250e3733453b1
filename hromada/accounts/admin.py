from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "office", "territory", "is_active")
    list_select_related = ("office", "territory")   # both nullable: the default select_related() skips them (N+1)
    list_filter = ("role", "is_active")
    raw_id_fields = ("office", "territory")
    fieldsets = BaseUserAdmin.fieldsets + (("Роль і межі доступу", {"fields": ("patronymic", "role", "office",
                                                                              "territory", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Роль і межі доступу", {"fields": ("role", "office", "territory")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("key_hash", "prefix")
