from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from hromada.audit.admin_changes import AuditedAdmin

from . import services
from .models import ApiToken, User


class _PasswordForm(AdminPasswordChangeForm):
    """The admin's "change password" form sets the new password on the user but never saves it: the admin's
    ``log_change`` right after hands the user to ``services.set_password_by_admin``, which saves it and records
    "password changed" in the audit chain (never a hash)."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user._password_set_by_admin = True
        return user


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    # role and scope changes are audited with old and new values; names, e-mail, phone only by field name
    audit_values = ("username", "role", "office", "territory", "is_active", "is_staff", "is_superuser")
    list_display = ("username", "last_name", "first_name", "role", "office", "territory", "is_active")
    list_select_related = ("office", "territory")   # both nullable: the default select_related() skips them (N+1)
    list_filter = ("role", "is_active")
    raw_id_fields = ("office", "territory")
    fieldsets = BaseUserAdmin.fieldsets + ((_("Роль і межі доступу"), {"fields": ("patronymic", "role", "office",
                                                                              "territory", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Роль і межі доступу"), {"fields": ("role", "office", "territory")}),)
    change_password_form = _PasswordForm

    def log_change(self, request, obj, message):
        if getattr(obj, "_password_set_by_admin", False):
            # UserAdmin.user_change_password runs the form, then logs: this is where the password is saved.
            services.set_password_by_admin(actor=request.user, user=obj, request=request)
            obj._password_set_by_admin = False
        return super().log_change(request, obj, message)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    """Groups and their permissions: changes land in the audit chain (old and new permissions by name)."""


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("key_hash", "prefix")
