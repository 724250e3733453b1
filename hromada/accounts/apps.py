from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AccountsConfig(AppConfig):
    name = "hromada.accounts"
    label = "accounts"
    verbose_name = "Користувачі та ролі"

    def ready(self):
        from hromada.offices.models import Office

        from .models import ApiToken, User
        from .services import forget_tokens

        # A saved user (role, office, deactivation, password), token (revocation in the admin) or office (closed,
        # moved) may change what a cached token lookup allows: forget it.
        def user_changed(sender, instance, **kwargs):
            forget_tokens(user_ids=[instance.pk])

        def token_changed(sender, instance, **kwargs):
            forget_tokens(user_ids=[instance.user_id])

        def office_changed(sender, instance, **kwargs):
            forget_tokens(office_ids=[instance.pk])

        for signal in (post_save, post_delete):
            signal.connect(user_changed, sender=User, weak=False, dispatch_uid=f"accounts.user.{signal}")
            signal.connect(token_changed, sender=ApiToken, weak=False, dispatch_uid=f"accounts.token.{signal}")
            signal.connect(office_changed, sender=Office, weak=False, dispatch_uid=f"accounts.office.{signal}")
