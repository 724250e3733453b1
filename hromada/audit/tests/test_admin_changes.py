"""#18 p.6: role, scope, office, service terms and holidays changed in the Django admin land in the audit chain
with the old and new values of each changed field (the admin saves through audit.services)."""
from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from hromada.accounts.models import Role, User
from hromada.audit.models import AuditEntry
from hromada.audit.services import verify_chain
from hromada.catalog.models import Holiday, ServiceType
from hromada.offices.models import Office

pytestmark = pytest.mark.django_db


def _admin_save(model, obj, actor):
    """What the admin's change view does after a valid form: ModelAdmin.save_model."""
    request = RequestFactory().post("/admin/")
    request.user = actor
    admin.site._registry[model].save_model(request, obj, form=None, change=obj.pk is not None)


def _last(obj) -> AuditEntry:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).latest("id")


def test_a_role_change_keeps_old_and_new_role(front, sysadmin):
    user = User.objects.get(pk=front.pk)
    user.role = Role.BACK_SPECIALIST
    user.first_name = "Інше"
    _admin_save(User, user, sysadmin)
    entry = _last(user)
    assert entry.action == "admin.change" and entry.actor == sysadmin
    assert entry.details["changes"]["role"] == [Role.FRONT_SPECIALIST, Role.BACK_SPECIALIST]
    assert entry.details["changes"]["first_name"] is None  # personal data: named, no values
    assert "password" not in entry.details["changes"]


def test_a_scope_change_keeps_old_and_new_office(front, back, sysadmin):
    user = User.objects.get(pk=front.pk)
    old_office = user.office_id
    user.office = back.office
    _admin_save(User, user, sysadmin)
    assert _last(user).details["changes"] == {"office": [old_office, back.office.pk]}
    _admin_save(User, user, sysadmin)  # saved again unchanged: nothing to record
    assert AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk),
                                     action="admin.change").count() == 1


def test_an_office_change_is_audited(front, sysadmin):
    office = Office.objects.get(pk=front.office_id)
    office.opening_hours, office.is_active = "Пн–Пт 9:00–17:00", False
    before = Office.objects.get(pk=office.pk)
    _admin_save(Office, office, sysadmin)
    changes = _last(office).details["changes"]
    assert changes["is_active"] == [True, False]
    assert changes["opening_hours"] == [before.opening_hours, "Пн–Пт 9:00–17:00"]


def test_service_terms_change_is_audited(demo, sysadmin):
    service = ServiceType.objects.order_by("pk").first()
    old = service.term_days
    service.term_days = old + 5
    _admin_save(ServiceType, service, sysadmin)
    assert _last(service).details["changes"] == {"term_days": [old, old + 5]}


def test_holidays_added_changed_and_deleted_through_the_admin_site(client, sysadmin, settings):
    settings.HROMADA_REQUIRE_2FA = False
    client.force_login(sysadmin)
    res = client.post(reverse("admin:catalog_holiday_add"),
                      {"date": "2031-08-24", "name": "День Незалежності", "is_day_off": "on", "basis": "КЗпП"})
    assert res.status_code == 302, res.content.decode()[:2000]
    holiday = Holiday.objects.get(date=date(2031, 8, 24))
    created = _last(holiday)
    assert created.action == "admin.create" and created.actor == sysadmin
    assert created.details["changes"]["date"] == [None, "2031-08-24"]
    res = client.post(reverse("admin:catalog_holiday_change", args=[holiday.pk]),
                      {"date": "2031-08-24", "name": "День Незалежності", "basis": "воєнний стан"})
    assert res.status_code == 302
    assert _last(holiday).details["changes"] == {"is_day_off": [True, False], "basis": ["КЗпП", "воєнний стан"]}
    res = client.post(reverse("admin:catalog_holiday_delete", args=[holiday.pk]), {"post": "yes"})
    assert res.status_code == 302 and not Holiday.objects.filter(pk=holiday.pk).exists()
    deleted = AuditEntry.objects.filter(action="admin.delete", object_type="catalog.holiday").latest("id")
    assert deleted.object_id == str(holiday.pk) and deleted.details["values"]["basis"] == "воєнний стан"
    assert verify_chain()[1] == []


def test_a_password_set_in_the_admin_is_audited_without_the_hash(client, sysadmin, front, settings):
    settings.HROMADA_REQUIRE_2FA = False
    client.force_login(sysadmin)
    old_hash = User.objects.get(pk=front.pk).password
    res = client.post(reverse("admin:auth_user_password_change", args=[front.pk]),
                      {"password1": "Nove-Haslo-2031!", "password2": "Nove-Haslo-2031!", "usable_password": "true",
                       "set-password": "1"})
    assert res.status_code == 302, res.content.decode()[:3000]
    user = User.objects.get(pk=front.pk)
    assert user.password != old_hash and user.check_password("Nove-Haslo-2031!")
    entry = _last(user)
    assert entry.action == "admin.password_change" and entry.actor == sysadmin
    assert entry.details == {"password": "changed"}
    text = str(AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk))
               .values_list("details", flat=True)[::1])
    assert user.password not in text and old_hash not in text and "pbkdf2" not in text
    assert verify_chain()[1] == []


def test_a_refused_password_form_changes_and_records_nothing(client, sysadmin, front, settings):
    settings.HROMADA_REQUIRE_2FA = False
    client.force_login(sysadmin)
    before = AuditEntry.objects.count()
    res = client.post(reverse("admin:auth_user_password_change", args=[front.pk]),
                      {"password1": "Nove-Haslo-2031!", "password2": "інше", "usable_password": "true"})
    assert res.status_code == 200
    assert AuditEntry.objects.count() == before
    assert User.objects.get(pk=front.pk).check_password("Nove-Haslo-2031!") is False


def test_group_permissions_edited_in_the_admin_keep_old_and_new(client, sysadmin, settings):
    from django.contrib.auth.models import Group, Permission

    settings.HROMADA_REQUIRE_2FA = False
    client.force_login(sysadmin)
    add_holiday = Permission.objects.get(codename="add_holiday")
    change_holiday = Permission.objects.get(codename="change_holiday")
    res = client.post(reverse("admin:auth_group_add"), {"name": "Календар", "permissions": [add_holiday.pk]})
    assert res.status_code == 302, res.content.decode()[:3000]
    group = Group.objects.get(name="Календар")
    entries = list(AuditEntry.objects.filter(object_type="auth.group", object_id=str(group.pk)).order_by("id"))
    assert [e.action for e in entries] == ["admin.create", "admin.change"]
    assert entries[1].details["changes"] == {"permissions": [[], [str(add_holiday)]]}
    res = client.post(reverse("admin:auth_group_change", args=[group.pk]),
                      {"name": "Календар", "permissions": [change_holiday.pk]})
    assert res.status_code == 302
    assert _last(group).details["changes"] == {"permissions": [[str(add_holiday)], [str(change_holiday)]]}
    assert verify_chain()[1] == []


def test_a_users_groups_changed_in_the_admin_are_audited(front, sysadmin):
    from django.contrib.auth.models import Group

    from hromada.audit.services import save_relations_with_audit

    group = Group.objects.create(name="Перевіряльники")
    user = User.objects.get(pk=front.pk)
    save_relations_with_audit(actor=sysadmin, obj=user, save_m2m=lambda: user.groups.set([group]))
    assert _last(user).details["changes"] == {"groups": [[], ["Перевіряльники"]]}
    before = AuditEntry.objects.count()
    save_relations_with_audit(actor=sysadmin, obj=user, save_m2m=lambda: user.groups.set([group]))
    assert AuditEntry.objects.count() == before   # nothing changed, nothing recorded
