"""UI forms: they only parse input; domain rules live in services (errors come back as HromadaError)."""
from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from hromada.persons.models import Sex

from . import rules


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label, required=True, **kw):
    return forms.DateField(label=label, required=required, widget=DateInput(), **kw)


def _text(label, required=True, rows=3, **kw):
    return forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kw)


class PersonFields(forms.Form):
    last_name = forms.CharField(label=_("Прізвище"), max_length=100)
    first_name = forms.CharField(label=_("Ім’я"), max_length=100)
    patronymic = forms.CharField(label=_("По батькові"), max_length=100, required=False)
    birth_date = _date(_("Дата народження"))
    sex = forms.ChoiceField(label=_("Стать"), choices=[("", "—")] + list(Sex.choices))
    rnokpp = forms.CharField(label=_("РНОКПП (якщо відомий)"), max_length=10, required=False)


class CaseForm(PersonFields):
    is_idp = forms.BooleanField(label=_("Дитина — внутрішньо переміщена особа"), required=False)
    reported_on = _date(_("Дата надходження повідомлення"))
    urgency = forms.ChoiceField(label=_("Терміновість"), widget=forms.RadioSelect)
    circumstances = forms.MultipleChoiceField(label=_("Обставини"), widget=forms.CheckboxSelectMultiple)
    summary = _text(_("Що відомо про ситуацію (стисло)"), required=False, rows=4)
    reporter_type = forms.ChoiceField(label=_("Хто повідомив"))
    reporter_name = forms.CharField(label=_("ПІБ або назва установи, що повідомила"), max_length=255, required=False,
                                    help_text=_("Для анонімного повідомлення не заповнюйте — дані не збережуться."))
    reporter_organisation = forms.CharField(label=_("Установа (посада)"), max_length=255, required=False)
    reporter_phone = forms.CharField(label=_("Телефон того, хто повідомив"), max_length=20, required=False)
    hromada = forms.TypedChoiceField(label=_("Відповідальна громада"), coerce=int, required=False)

    def __init__(self, *args, hromadas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["urgency"].choices = [(k, u.name) for k, u in rules.urgencies().items()]
        self.fields["circumstances"].choices = rules.choices(rules.circumstances())
        self.fields["reporter_type"].choices = [("", "—")] + rules.choices(rules.reporter_types())
        if len(hromadas) > 1:
            self.fields["hromada"].choices = [("", "—")] + list(hromadas)
            self.fields["hromada"].required = True
        else:
            del self.fields["hromada"]


class RepresentativeForm(PersonFields):
    role = forms.ChoiceField(label=_("Роль"), required=False)
    phone = forms.CharField(label=_("Телефон"), max_length=13, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—")] + rules.choices(rules.representative_roles())
        # The block is optional: it is validated only when a surname is typed.
        self.empty_permitted = True
        self.use_required_attribute = False

    def has_changed(self):
        return bool((self.data.get(self.add_prefix("last_name")) or "").strip())

    def clean(self):
        data = super().clean()
        if not data.get("role"):
            self.add_error("role", _("Оберіть роль представника."))
        return data


class StartAssessmentForm(forms.Form):
    started_on = _date(_("Дата початку оцінювання"))


class AssessmentForm(forms.Form):
    needs = _text(_("Потреби дитини"))
    findings = _text(_("Висновки оцінювання"))
    completed_on = _date(_("Дата завершення"))


class DecisionForm(forms.Form):
    in_difficult_circumstances = forms.TypedChoiceField(
        label=_("Рішення"), widget=forms.RadioSelect, coerce=lambda v: v == "yes",
        choices=[("yes", _("Дитина перебуває у складних життєвих обставинах")),
                 ("no", _("Дитина не перебуває у складних життєвих обставинах (справу буде закрито)"))])
    basis = _text(_("Підстава рішення"))
    decided_on = _date(_("Дата рішення"))


class PlanForm(forms.Form):
    goal = _text(_("Мета плану соціального захисту"))
    approved_on = _date(_("Дата затвердження"))
    next_review_due = _date(_("Дата наступного перегляду"), required=False,
                            help_text=_("Якщо не вказано — за правилами (через 90 днів)."))


class MeasureForm(forms.Form):
    description = forms.CharField(label=_("Захід"), max_length=500)
    responsible_service = forms.CharField(label=_("Відповідальна служба"), max_length=255)
    due_date = _date(_("Строк"))


MeasureFormSet = formset_factory(MeasureForm, extra=3, max_num=20, min_num=0)


class MeasureDoneForm(forms.Form):
    done_on = _date(_("Дата виконання"))


class ReviewForm(forms.Form):
    findings = _text(_("Висновки перегляду"))
    reviewed_on = _date(_("Дата перегляду"))
    next_review_due = _date(_("Наступний перегляд"), required=False)


class ReferralForm(forms.Form):
    service_name = forms.CharField(label=_("Служба / заклад"), max_length=255)
    purpose = _text(_("Мета направлення"), required=False, rows=2)
    sent_on = _date(_("Дата направлення"))


class FeedbackForm(forms.Form):
    feedback = _text(_("Відповідь служби"), rows=2)
    feedback_on = _date(_("Дата відповіді"))


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Результат"))
    note = _text(_("Примітка"), required=False, rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "—")] + [
            (k, v) for k, v in rules.outcomes().items() if k != "not_in_difficult_circumstances"]
