from django.contrib import admin

from hromada.audit.admin_changes import AuditedAdmin

from .models import DocumentRequirement, Holiday, LegalFigure, ServiceType


class DocumentInline(admin.TabularInline):
    model = DocumentRequirement
    extra = 0


@admin.register(ServiceType)
class ServiceTypeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("code", "name_uk", "term_days", "term_kind", "late_documents_months", "active_from", "active_to")
    inlines = [DocumentInline]


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("date", "name", "is_day_off", "basis")


@admin.register(LegalFigure)
class LegalFigureAdmin(AuditedAdmin, admin.ModelAdmin):
    """Figures set by law. A new period is best added with ``manage.py set_legal_figure`` (it closes the previous
    one); changes here are audited with old and new values like every admin change."""
    list_display = ("key", "value", "unit", "valid_from", "valid_to", "article", "confirmed")
    list_filter = ("confirmed", "unit")
    search_fields = ("key", "label_uk", "act")
