"""Residents are told: consent per channel, every message with its honest delivery state, every status look.

States of a notification (see services.py, the only writer):

    queued → sent → delivered | failed        (delivered only on the gateway's delivery report)
    queued → failed                           (permanent error, or transient errors after the last retry)
    not_sent                                  (no consent is not a row at all; no channel configured or no
                                               contact → not_sent with the reason; nothing was sent)
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Ел. пошта")


class State(models.TextChoices):
    QUEUED = "queued", _("У черзі")
    SENT = "sent", _("Надіслано")
    DELIVERED = "delivered", _("Доставлено")
    FAILED = "failed", _("Не вдалося надіслати")
    NOT_SENT = "not_sent", _("Не надсилалося")


class Kind(models.TextChoices):
    RESULT_READY = "result_ready", _("Результат готовий")
    RETURNED = "returned", _("Заяву повернуто на доопрацювання")
    DOCUMENTS_DUE = "documents_due", _("Строк донесення документів спливає")
    DEADLINE_PASSED = "deadline_passed", _("Строк рішення минув")


class Consent(models.Model):
    """The resident's recorded consent to be told through one channel (the latest answer counts)."""
    # Indexed as the first column of one_consent_per_channel: no index of its own (#24).
    person = models.ForeignKey("persons.Person", on_delete=models.CASCADE, related_name="notification_consents",
                               db_index=False)
    channel = models.CharField(_("канал"), max_length=8, choices=Channel.choices)
    granted = models.BooleanField(_("згода надана"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("записано"))

    class Meta:
        verbose_name = _("згода на сповіщення")
        verbose_name_plural = _("згоди на сповіщення")
        constraints = [models.UniqueConstraint(fields=["person", "channel"], name="one_consent_per_channel")]


# The longest gateway message id kept: the notification's and a report that came before it share it.
MESSAGE_ID_MAX = 128


class Notification(models.Model):
    """One message to the resident about a case. The recipient is stored masked: a delivery log, not a contact
    book. ``reference`` tells repeated messages of one kind apart (the return request, the deadline date), so a
    periodic task run twice does not tell the resident twice."""
    # Indexed as the first column of one_notification_per_occasion: no index of its own (#24).
    application = models.ForeignKey("applications.Application", on_delete=models.CASCADE,
                                    related_name="resident_notifications", db_index=False)
    channel = models.CharField(_("канал"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("привід"), max_length=32, choices=Kind.choices)
    reference = models.CharField(max_length=64, blank=True)
    recipient_masked = models.CharField(_("одержувач"), max_length=64, blank=True)
    # Indexed as the first column of notifications_state_idx: no index of its own (#24).
    state = models.CharField(_("стан"), max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("спроб"), default=0)
    last_error = models.CharField(_("остання помилка"), max_length=255, blank=True)
    # The gateway's id of the message: delivery reports name it.
    provider_id = models.CharField(max_length=MESSAGE_ID_MAX, blank=True, db_index=True)
    # The gateway said it is the stand-in used for tests and demos (no phone receives anything): shown on screen.
    via_stand_in = models.BooleanField(default=False)
    # Set while a worker is sending it (claimed, gateway not yet answered): a second worker leaves it alone.
    sending_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("створено"), auto_now_add=True)
    updated_at = models.DateTimeField(_("оновлено"), auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # A failed message leaves the front office's worklist when somebody has phoned the resident instead.
    called_at = models.DateTimeField(_("заявнику зателефонували"), null=True, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")

    class Meta:
        verbose_name = _("сповіщення")
        verbose_name_plural = _("сповіщення")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["application", "kind", "channel", "reference"],
                                               name="one_notification_per_occasion")]
        indexes = [models.Index(fields=["state", "application"], name="notifications_state_idx")]


class EarlyReport(models.Model):
    """A delivery report that came before its message's gateway id was recorded. A gateway may report within
    milliseconds of accepting a message, before the transaction that records the id has committed; the report
    is kept here and applied when the id is recorded (``services.deliver_notification``). One that never finds
    its message (the send's transaction failed after the gateway accepted) is forgotten after a few days."""
    message_id = models.CharField(max_length=MESSAGE_ID_MAX, unique=True)
    status = models.CharField(max_length=16)
    error = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("ранній звіт про доставку")
        verbose_name_plural = _("ранні звіти про доставку")


class StatusLook(models.Model):
    """One look at the public status page: which number was asked, when, from which address, found or not.
    Wrong codes from one address in a window are what the throttle counts."""
    number = models.CharField(max_length=64)
    application = models.ForeignKey("applications.Application", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    found = models.BooleanField(default=False)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("перевірка статусу")
        verbose_name_plural = _("перевірки статусу")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ip", "found", "at"], name="status_look_throttle_idx")]
