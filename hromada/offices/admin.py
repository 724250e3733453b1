from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hromada.audit.admin_changes import AuditedAdmin

from .models import Function, HromadaServing, Office, StaffPosition, authority_of_kind
from .services import assign_back_office, remove_routing


@admin.register(Office)
class OfficeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("name", "function", "kind", "territory", "is_active")
    list_filter = ("function", "kind", "is_active")
    search_fields = ("name",)
    raw_id_fields = ("territory", "hromada", "settlement")


class HromadaServingForm(forms.ModelForm):
    class Meta:
        model = HromadaServing
        fields = ("hromada", "back_office", "since", "note")

    def clean_back_office(self):
        office = self.cleaned_data["back_office"]
        if office.function != Function.BACK or authority_of_kind(office.kind) is None or not office.is_active:
            raise forms.ValidationError(_("Оберіть чинний бек-офіс органу, що приймає рішення."))
        return office


@admin.register(HromadaServing)
class HromadaServingAdmin(admin.ModelAdmin):
    """Routing is data: every change goes through offices.services (one row per authority, audited)."""
    form = HromadaServingForm
    list_display = ("hromada", "back_office", "since")
    list_select_related = ("hromada", "back_office")
    raw_id_fields = ("hromada", "back_office")

    def save_model(self, request, obj, form, change):
        if change:
            old = HromadaServing.objects.select_related("back_office").get(pk=obj.pk)
            if (old.hromada_id, authority_of_kind(old.back_office.kind)) != (
                    obj.hromada_id, authority_of_kind(obj.back_office.kind)):
                remove_routing(serving_id=obj.pk, actor=request.user, request=request)
        serving = assign_back_office(hromada=obj.hromada, back_office=obj.back_office, since=obj.since,
                                     note=obj.note, actor=request.user, request=request)
        obj.pk = serving.pk

    def delete_model(self, request, obj):
        remove_routing(serving_id=obj.pk, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            remove_routing(serving_id=pk, actor=request.user, request=request)


@admin.register(StaffPosition)
class StaffPositionAdmin(admin.ModelAdmin):
    list_display = ("title", "office", "user", "since", "until")
    list_select_related = ("office", "user")   # user is nullable: the default select_related() skips it (N+1)
    raw_id_fields = ("office", "user")
