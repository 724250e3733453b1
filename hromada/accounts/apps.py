from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hromada.accounts"
    label = "accounts"
    verbose_name = _("Користувачі та ролі")

    def ready(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from hromada.core import registry

        from . import access, checks, sealing  # noqa: F401  (checks registers the deploy check)
        from .models import ApiToken, User
        from .services import forget_cached_users, user_for_token

        # Core asks the access layer through slots (it sits below this floor and never imports it).
        registry.may.provide(access.may)
        registry.scope_of.provide(access.scope_of)
        registry.user_for_token.provide(user_for_token)
        registry.get_visible.provide(access.get_visible)
        registry.require.provide(access.require)

        # A saved user (role, office, deactivation, password) or token (revocation in the admin) may change what a
        # cached token lookup or session user allows: forget them (offices forget their staff's in OfficesConfig.ready).
        def user_changed(sender, instance, **kwargs):
            forget_cached_users(user_ids=[instance.pk])

        def token_changed(sender, instance, **kwargs):
            forget_cached_users(user_ids=[instance.user_id])

        for signal in (post_save, post_delete):
            signal.connect(user_changed, sender=User, weak=False, dispatch_uid=f"accounts.user.{signal}")
            signal.connect(token_changed, sender=ApiToken, weak=False, dispatch_uid=f"accounts.token.{signal}")

        # TOTP keys are stored sealed (issue 16, #13): every save seals a plain key, and django-otp reads the key
        # only through ``bin_key`` (codes, the provisioning URL), which opens it.
        pre_save.connect(sealing.seal_device_key, sender=TOTPDevice, dispatch_uid="accounts.totp.seal")
        TOTPDevice.bin_key = property(sealing.device_bin_key)
