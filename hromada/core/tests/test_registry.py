"""Slots: how a lower floor asks a higher one without importing it (docs/architecture.md)."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from hromada.accounts import access
from hromada.catalog import slots as catalog_slots
from hromada.core import registry
from hromada.core.discovery import app_modules
from hromada.core.registry import Slot
from hromada.persons import scoping
from hromada.persons import selectors as person_selectors

ALL_SLOTS = [registry.may, registry.scope_of, registry.user_for_token, registry.get_visible, registry.require,
             access.territory_level, access.raion_hromada_ids, access.hromadas_served_by, access.oblast_unit_ids,
             access.unit_id_of_code, scoping.case_person_ids, scoping.case_person_ids_beyond_home,
             person_selectors._applications_of, catalog_slots.social_intake_choices,
             catalog_slots.social_case_from_application, catalog_slots.social_public_status,
             catalog_slots.social_case_decided]


def test_an_empty_slot_refuses_instead_of_answering_a_default():
    slot = Slot("nobody.provides.this")
    assert not slot.provided
    with pytest.raises(ImproperlyConfigured, match="nobody.provides.this"):
        slot("anything")


def test_a_provided_slot_calls_its_provider():
    slot = Slot("doubles")
    slot.provide(lambda x, *, times=2: x * times)
    assert slot.provided and slot(3) == 6 and slot(3, times=3) == 9


@pytest.mark.parametrize("slot", ALL_SLOTS, ids=lambda s: s.name)
def test_every_slot_is_filled_at_start_up(slot):
    assert slot.provided, f"no AppConfig.ready() provides {slot.name}"


def test_the_core_slots_are_the_access_layer_itself():
    assert registry.may._fn is access.may and registry.scope_of._fn is access.scope_of


def test_app_discovery_finds_each_apps_module_once_and_skips_apps_without_it():
    labels = [config.label for config, _module in app_modules("nav")]
    assert "accounts" in labels and "persons" in labels and len(labels) == len(set(labels))
    assert "demo" not in [config.label for config, _module in app_modules("demo", exclude=("demo",))]
    assert app_modules("no_such_module_anywhere") == []
