"""Changes made in the Django admin go through ``audit.services`` (#18 p.6): a ModelAdmin that mixes this in saves
and deletes through ``save_with_audit`` / ``delete_with_audit``, so each change lands in the audit chain with the
old and new values of the changed fields (``audit_values``: the fields whose values may be shown; None = all),
and its many-to-many relations (a user's groups and permissions, a group's permissions) through
``save_relations_with_audit`` with the old and new members."""
from __future__ import annotations

from collections.abc import Sequence

from . import services


class AuditedAdmin:
    audit_values: Sequence[str] | None = None

    def save_model(self, request, obj, form, change):
        services.save_with_audit(actor=request.user, obj=obj, request=request, shown=self.audit_values)

    def delete_model(self, request, obj):
        services.delete_with_audit(actor=request.user, obj=obj, request=request, shown=self.audit_values)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete_with_audit(actor=request.user, obj=obj, request=request, shown=self.audit_values)

    def save_related(self, request, form, formsets, change):
        services.save_relations_with_audit(actor=request.user, obj=form.instance, request=request,
                                           save_m2m=form.save_m2m)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        """Inline rows (a service type's documents) are changed the same way, one entry per row."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_with_audit(actor=request.user, obj=obj, request=request, shown=self.audit_values)
        for obj in instances:
            services.save_with_audit(actor=request.user, obj=obj, request=request, shown=self.audit_values)
        formset.save_m2m()
