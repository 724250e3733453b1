from django.contrib import admin

from .models import DocumentRequirement, Holiday, ServiceType


class DocumentInline(admin.TabularInline):
    model = DocumentRequirement
    extra = 0


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_uk", "term_days", "term_kind", "late_documents_months", "active_from", "active_to")
    inlines = [DocumentInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "is_day_off", "basis")
