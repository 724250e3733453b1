from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import AuditFilters


class AuditFilterForm(forms.Form):
    person_id = forms.IntegerField(label=_("Особа (ід.)"), required=False, min_value=1)
    application_id = forms.IntegerField(label=_("Заява (ід.)"), required=False, min_value=1)
    user = forms.CharField(label=_("Користувач (логін)"), required=False, max_length=150)
    action = forms.CharField(label=_("Дія"), required=False, max_length=64,
                             widget=forms.TextInput(attrs={"list": "audit-actions"}),
                             help_text=_("Точна дія або префікс з крапкою, напр. «person.»"))
    object_type = forms.CharField(label=_("Тип об’єкта"), required=False, max_length=64)
    object_id = forms.CharField(label=_("Ідентифікатор об’єкта"), required=False, max_length=64)
    date_from = forms.DateField(label=_("Дата з"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Дата по"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hromada = forms.CharField(label=_("Громада (код КАТОТТГ)"), required=False, max_length=19)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("Дата «з» пізніша за дату «по»."), code="invalid_date_range")
        return data

    def filters(self) -> AuditFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilters(**{name: data.get(name) or (None if name.startswith("date") or name.endswith("_id")
                                                        else "")
                               for name in self.fields})
