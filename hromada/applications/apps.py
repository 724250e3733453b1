import functools

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "hromada.applications"
    label = "applications"
    verbose_name = _("Заяви")

    def ready(self):
        from django.db.models import Q

        from hromada.accounts import access
        from hromada.accounts.models import Role
        from hromada.persons import scoping
        from hromada.persons import selectors as person_selectors
        from hromada.persons.models import PersonAccess

        from .models import Application, Document, Participant, Status
        from .selectors import participant_person_id_parts, participant_person_ids

        # The deciding offices' roles: the children's service sees the children's-rights requests routed to its own
        # office (offices.selectors.deciding_office_for), never the hromada's other cases.
        back_roles = (Role.BACK_SPECIALIST, Role.BACK_HEAD, Role.CHILD_SERVICE)

        def sent_to_office(user, prefix=""):
            # A back office sees the cases sent to it, never front-office drafts — also the cases of a hromada later
            # moved to another back office, which it still has to finish (the hromada list is not consulted: it
            # would hide them, and it made the planner combine two indexes on every queue page).
            if not user.office_id:
                return Q(pk__in=[])
            return Q(**{f"{prefix}back_office_id": user.office_id}) & ~Q(**{f"{prefix}status": Status.DRAFT})

        # The person rule's case part applies this rule, and the person rule is compiled once per
        # ``persons.scoping.rule_key`` (role, active, office, scope): what this rule reads of the user stays within it.
        access.register(Application, view_action="application.view",
                        q=lambda user, scope: sent_to_office(user) if user.role in back_roles
                        else scope.hromada_q("hromada"))
        access.register(Document, view_action="application.view",
                        q=lambda user, scope: sent_to_office(user, "application__") if user.role in back_roles
                        else scope.hromada_q("application__hromada"))

        from hromada.core.registry import stranded_work

        from . import tasks

        stranded_work.provide("receipts", tasks.queue_missing_receipts)

        # Persons (the floor below) reach the applications through these.
        def case_person_ids(user, *, beyond_home: bool = False):
            # "Persons in a case I can see". A back office sees the cases sent to it: their participants (by the
            # back office's index). Everyone else sees the cases of the hromadas in scope, and of their persons
            # the home part shows all but two kinds: those registered elsewhere — persons.PersonAccess, kept by
            # the intake services, read from the (hromada, person) index alone — and, to users from whom the home
            # part hides them, the children of protection cases registered in the hromada, read from the
            # participants of the visible cases narrowed to those children (a few a hromada; the flag may be set
            # after the child joined a case, so no row could be kept for them). ``beyond_home``: the first kind
            # only (the cover adds the children by a part of its own); a back office has no home part.
            if user.role in back_roles or not access.may(user, "application.view"):
                return participant_person_ids(user)
            scope = access.scope_of(user)
            rows = PersonAccess.objects.filter(scope.hromada_q("hromada")).values("person_id")
            if beyond_home or not scoping.children_hidden(user):
                return rows
            # Narrowed to the children registered in scope first (a few a hromada, on the home index), so the
            # statement starts from them rather than from every case of the hromada.
            children = scoping.CHILDREN & scope.hromada_q("registered_hromada")
            return rows.union(*participant_person_id_parts(user, children))

        scoping.case_person_ids.provide(case_person_ids)
        scoping.case_person_ids_beyond_home.provide(functools.partial(case_person_ids, beyond_home=True))
        # A person's cases: those she applied in (the claim index leads with the applicant) and those she takes
        # part in otherwise (the participants' person index).
        person_selectors.case_ids_of.provide(
            lambda person: sorted(set(Participant.objects.filter(person=person).values_list("application_id", flat=True))
                                  | set(Application.objects.filter(applicant_person=person).values_list("pk", flat=True))))
        person_selectors._applications_of.provide(
            lambda user, person: access.visible(user, Application)
            .filter(Q(applicant_person=person) | Q(pk__in=Participant.objects.filter(person=person)
                                                  .values("application_id")))
            .select_related("service").order_by("-pk"))

        # An application for social services is decided in the social case opened from it (catalog/slots.py).
        from hromada.catalog import slots as catalog_slots

        from .selectors import checklist_for
        from .services.handover import record_social_decision

        catalog_slots.social_case_decided.provide(record_social_decision)
        catalog_slots.application_checklist.provide(checklist_for)
