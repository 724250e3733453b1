from django.contrib import admin

from .models import Edition, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "oblast", "raion", "is_active", "in_crimea")
    list_filter = ("category", "is_active", "in_crimea")
    search_fields = ("code", "name")
    raw_id_fields = ("parent", "oblast", "raion", "hromada")
    list_select_related = ("oblast", "raion")

    def has_add_permission(self, request):
        return False  # the codifier changes only by import_katottg

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("source", "edition", "imported_at", "created", "updated", "deactivated", "total")
