from django.contrib import admin

from .models import HromadaServing, Office, StaffPosition


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "function", "kind", "territory", "is_active")
    list_filter = ("function", "kind", "is_active")
    search_fields = ("name",)
    raw_id_fields = ("territory", "hromada", "settlement")


@admin.register(HromadaServing)
class HromadaServingAdmin(admin.ModelAdmin):
    list_display = ("hromada", "back_office", "since")
    raw_id_fields = ("hromada", "back_office")


@admin.register(StaffPosition)
class StaffPositionAdmin(admin.ModelAdmin):
    list_display = ("title", "office", "user", "since", "until")
    list_select_related = ("office", "user")   # user is nullable: the default select_related() skips it (N+1)
    raw_id_fields = ("office", "user")
