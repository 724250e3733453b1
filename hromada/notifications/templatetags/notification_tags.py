"""``{% case_notifications app %}`` — the notifications panel of a case card (consent, messages, states)."""
from django import template

from hromada.accounts import access

from .. import channels, selectors

register = template.Library()


@register.inclusion_tag("notifications/_case_panel.html", takes_context=True)
def case_notifications(context, app):
    user = context["request"].user
    person = app.applicant_person
    rows = selectors.notifications_for(user, app.pk)
    return {"panel": {
        "application_id": app.pk, "status_checks": app.status_checks,
        "rows": rows,
        "consents": selectors.consents_for(user, app.pk),
        "can_record": person is not None and access.may(user, "application.intake"),
        "phone": channels.mask_phone(person.phone) if person and person.phone else "",
        "email": channels.mask_email(person.email) if person and person.email else "",
        "stand_in": any(n.via_stand_in for n in rows),
    }, "csrf_token": context.get("csrf_token"), "request": context["request"]}
