from django.utils.translation import gettext_lazy

from hromada.core.registry import may


def restrict_admin_to_sysadmins(site):
    """Django admin is for system administrators only (role, not just is_staff)."""
    site.site_header = gettext_lazy("Громада — адміністрування")
    site.site_title = gettext_lazy("Громада")
    site.index_title = gettext_lazy("Довідники та налаштування")
    site.has_permission = lambda request: bool(
        request.user.is_active and request.user.is_staff and may(request.user, "admin.site"))
