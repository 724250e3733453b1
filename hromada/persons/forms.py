"""The person form: binds the browser's fields; the rules live in ``validators``/``services`` (one source of
truth for the UI and the API), whose field errors are put back on the form by ``add_service_errors``."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hromada.core.errors import HromadaError

from .models import IdDocumentType, Relation, Sex

# Field names of the service's errors → the form's fields.
SERVICE_FIELD = {"address.settlement_code": "settlement_code", "address.street": "street", "address.house": "house",
                 "address.flat": "flat", "id_document": "id_document_number"}


class PersonForm(forms.Form):
    last_name = forms.CharField(label=_("Прізвище"), required=False, max_length=100, widget=forms.TextInput(attrs={
        "data-latin-warning": _("У прізвищі є латинські літери (%s). Українське прізвище пишуть кирилицею: "
                                "перевірте розкладку клавіатури.")}))
    first_name = forms.CharField(label=_("Ім’я"), required=False, max_length=100)
    patronymic = forms.CharField(label=_("По батькові"), required=False, max_length=100)
    birth_date = forms.CharField(label=_("Дата народження"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    sex = forms.ChoiceField(label=_("Стать"), required=False, choices=Sex.choices, widget=forms.RadioSelect)
    rnokpp = forms.CharField(label=_("РНОКПП"), required=False, max_length=12,
                             help_text=_("10 цифр. Дата народження і стать, закодовані в номері, мають збігатися "
                                         "з указаними."),
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    no_rnokpp_reason = forms.CharField(label=_("Причина відсутності РНОКПП"), required=False, max_length=255,
                                       help_text=_("Лише якщо особа відмовилася від РНОКПП: тоді потрібен паспорт "
                                                   "(книжечка). Дитину без номера ідентифікує свідоцтво про народження — "
                                                   "для неї причину вказувати не треба."))
    id_document_type = forms.ChoiceField(label=_("Документ, що посвідчує особу"), required=False,
                                         choices=[("", "—")] + list(IdDocumentType.choices))
    id_document_number = forms.CharField(
        label=_("Серія та номер документа"), required=False, max_length=20,
        help_text=_("ID-картка: 9 цифр. Паспорт: дві українські літери та 6 цифр (ЖТ123456). "
                    "Свідоцтво про народження: I-ЖТ 123456 (римська цифра латиницею)."))
    settlement_code = forms.CharField(label=_("Населений пункт"), required=False, max_length=19)
    street = forms.CharField(label=_("Вулиця"), required=False, max_length=200)
    house = forms.CharField(label=_("Будинок"), required=False, max_length=20)
    flat = forms.CharField(label=_("Квартира"), required=False, max_length=20)
    phone = forms.CharField(label=_("Телефон"), required=False, max_length=20, help_text=_("+380XXXXXXXXX або 0XXXXXXXXX"),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    email = forms.CharField(label=_("Ел. пошта"), required=False, max_length=254)
    is_idp = forms.BooleanField(label=_("Внутрішньо переміщена особа (ВПО)"), required=False)
    confirm_not_duplicate = forms.BooleanField(label=_("Це інша особа: зареєструвати попри схожі записи"),
                                               required=False)
    relation = forms.ChoiceField(label=_("Ступінь зв’язку з особою"), required=False,
                                 choices=[("", "—")] + list(Relation.choices))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def person_data(self) -> dict:
        """The service's (API) shape of the entered person."""
        d = self.cleaned_data
        return {
            "last_name": d["last_name"], "first_name": d["first_name"], "patronymic": d["patronymic"],
            "birth_date": d["birth_date"], "sex": d["sex"] or None, "rnokpp": d["rnokpp"],
            "no_rnokpp_reason": d["no_rnokpp_reason"],
            "id_document": {"type": d["id_document_type"], "number": d["id_document_number"]},
            "phone": d["phone"], "email": d["email"], "is_idp": d["is_idp"],
            "address": {"settlement_code": d["settlement_code"], "street": d["street"], "house": d["house"],
                        "flat": d["flat"]},
        }

    def add_service_errors(self, exc: HromadaError) -> None:
        """Field errors of a ``ValidationFailed`` next to their fields; anything else as a form error."""
        errors = (exc.details or {}).get("errors") if isinstance(exc.details, dict) else None
        if not errors:
            self.add_error(None, str(exc.message))
            return
        for error in errors:
            field = SERVICE_FIELD.get(error["field"], error["field"])
            self.add_error(field if field in self.fields else None, error["message"])


def initial_from_person(person) -> dict:
    return {
        "last_name": person.last_name, "first_name": person.first_name, "patronymic": person.patronymic,
        "birth_date": person.birth_date.isoformat(), "sex": person.sex, "rnokpp": person.rnokpp or "",
        "no_rnokpp_reason": person.no_rnokpp_reason, "id_document_type": person.id_document_type,
        "id_document_number": person.id_document_number,
        "settlement_code": person.settlement.code if person.settlement_id else "", "street": person.street,
        "house": person.house, "flat": person.flat, "phone": person.phone, "email": person.email,
        "is_idp": person.is_idp, "version": person.version,
    }


class TakeIntoWorkForm(forms.Form):
    """«Взяти особу в роботу громади»: РНОКПП, a proof of presence and the reason (the service checks them)."""
    rnokpp = forms.CharField(label=_("РНОКПП"), max_length=12,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    id_document_number = forms.CharField(
        label=_("Серія та номер документа, що посвідчує особу"), required=False, max_length=20,
        help_text=_("Із документа, який мешканець пред’явив. Або заповніть прізвище, ім’я та дату народження."))
    last_name = forms.CharField(label=_("Прізвище"), required=False, max_length=100)
    first_name = forms.CharField(label=_("Ім’я"), required=False, max_length=100)
    patronymic = forms.CharField(label=_("По батькові"), required=False, max_length=100)
    birth_date = forms.DateField(label=_("Дата народження"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Мета (записується в журнал аудиту)"), max_length=255,
                             help_text=_("Наприклад: «звернення за допомогою при народженні дитини»."))

    def add_service_errors(self, exc: HromadaError) -> None:
        PersonForm.add_service_errors(self, exc)
