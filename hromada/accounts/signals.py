"""Signals of the staff accounts, for the floors above that keep something derived from them."""
from django.dispatch import Signal

# Sent after users were written in bulk (the dataset generator: no post_save is sent for them).
staff_written_in_bulk = Signal()
