"""Deployment checks of accounts (``manage.py check --deploy``)."""
from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def field_key_is_set(app_configs, **kwargs):
    """Production needs HROMADA_FIELD_KEY: the TOTP secrets are encrypted with it (issue 16, #13)."""
    if getattr(settings, "HROMADA_FIELD_KEY", "") or getattr(settings, "HROMADA_FIELD_KEY_FROM_SECRET", False):
        return []
    return [Error("HROMADA_FIELD_KEY is not set.", hint="Set it to a long random string, the same on every host "
                  "(python -c 'import secrets; print(secrets.token_urlsafe(48))'); keep it with SECRET_KEY.",
                  id="accounts.E001")]
