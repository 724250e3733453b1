from django import forms
from django.utils.translation import gettext_lazy as _


class OtpForm(forms.Form):
    otp = forms.CharField(label=_("Код з застосунку автентифікації"), max_length=12, min_length=6,
                          widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                        "autofocus": True, "pattern": "[0-9 ]*"}))


class EnrolForm(OtpForm):
    """The new device's first code; when replacing a confirmed device, also a code from the old one."""
    current = forms.CharField(label=_("Код зі старого пристрою або резервний код"), max_length=20, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))

    def __init__(self, *args, replacing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if replacing:
            self.fields["current"].required = True
            self.order_fields(["current", "otp"])
            self.fields["otp"].widget.attrs.pop("autofocus", None)
            self.fields["current"].widget.attrs["autofocus"] = True
        else:
            del self.fields["current"]


class CodeForm(forms.Form):
    """The sign-in code: six digits from the authenticator, or one recovery code (xxxxx-xxxxx)."""
    otp = forms.CharField(label=_("Код із застосунку автентифікації або резервний код"), max_length=20, min_length=6,
                          widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                                        "autocapitalize": "none"}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Поточний пароль"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password1 = forms.CharField(label=_("Новий пароль"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    help_text=_("Щонайменше 9 символів, не лише цифри, не схожий на ім’я."))
    new_password2 = forms.CharField(label=_("Новий пароль ще раз"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("Паролі не збігаються."))
        return data
