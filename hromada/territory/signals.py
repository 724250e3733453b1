"""Signals of the codifier, for the floors above that keep something derived from it."""
from django.dispatch import Signal

# Sent after ``import_codifier`` changed units (in bulk: no post_save is sent for them); ``result``: ImportResult
# (``raion_moved`` names the units moved to another raion), or None when what changed is not known.
codifier_imported = Signal()
