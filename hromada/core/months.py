"""Month names for the interface (translated: «листопад 2026» / «November 2026»).

Legal documents (acts, PDFs) stay Ukrainian whatever the interface language and keep their own wording.
"""
from django.utils.translation import gettext_lazy as _

MONTH_NAMES = [_("січень"), _("лютий"), _("березень"), _("квітень"), _("травень"), _("червень"), _("липень"),
               _("серпень"), _("вересень"), _("жовтень"), _("листопад"), _("грудень")]


def month_label(year: int, month: int) -> str:
    """«листопад 2026» in Ukrainian, «November 2026» in English."""
    return f"{MONTH_NAMES[month - 1]} {year}"
