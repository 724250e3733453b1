"""Sign-in lock-out and slow-down.

django-axes locks one username from one address after AXES_FAILURE_LIMIT failures (``lockout_response``).
Two attacks get past that, and are slowed here with a growing wait (never a lock anyone could keep on an
account, issue 16 #15), computed from axes' own records of failed attempts (AccessAttempt: one row per
username, address and browser, with its failure count and last time) within AXES_COOLOFF_TIME:

* guessing one account's password from many addresses: after HROMADA_LOGIN_ACCOUNT_FAILURES failures of that
  account (all addresses together) each further attempt waits 5 s, 10 s, 20 s… up to HROMADA_LOGIN_MAX_DELAY
  after the last failure. A browser in which this user signed in before (a signed "known browser" cookie) is
  not slowed: the attacker cannot keep the owner out;
* trying a few passwords on many accounts from one address (password spraying): once failures from one
  address name more than HROMADA_LOGIN_ADDRESS_ACCOUNTS accounts, every attempt from it waits the same way.

A slowed attempt is refused before the password is checked, and is not counted as a failure.
"""
from __future__ import annotations

import hashlib
import math

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.core import signing
from django.db.models import Count, Max, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

KNOWN_BROWSER_COOKIE = "hromada_known"
_KNOWN_SALT = "hromada.accounts.known-browser"
_KNOWN_MAX_AGE = 180 * 24 * 3600
_KNOWN_KEEP = 8  # a shared office workstation: the last few users who signed in there
FIRST_DELAY_SECONDS = 5


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """django-axes lock-out: JSON with a code for the API, a Ukrainian page for people."""
    message = _("Забагато невдалих спроб входу. Вхід тимчасово заблоковано.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "account_locked", "message": message}, status=429)
    return render(request, "accounts/locked_out.html", status=429)


def _delay(excess: int) -> int:
    """Seconds to wait after ``excess`` failures over the threshold (1 → 5 s, doubling, capped)."""
    cap = settings.HROMADA_LOGIN_MAX_DELAY
    if excess <= 0:
        return 0
    return min(cap, FIRST_DELAY_SECONDS * 2 ** min(excess - 1, 20))


def _tag(username: str) -> str:
    return hashlib.sha256(("known:" + username.strip().lower()).encode()).hexdigest()[:16]


def _known_tags(request) -> list[str]:
    try:
        tags = signing.loads(request.COOKIES.get(KNOWN_BROWSER_COOKIE, ""), salt=_KNOWN_SALT,
                             max_age=_KNOWN_MAX_AGE)
    except signing.BadSignature:
        return []
    return tags if isinstance(tags, list) else []


def is_known_browser(request, username: str) -> bool:
    return _tag(username) in _known_tags(request)


def remember_browser(request, response, username: str) -> None:
    """After a successful sign-in: this browser is known for this user (a signed cookie, no server state)."""
    tags = [t for t in _known_tags(request) if t != _tag(username)][-(_KNOWN_KEEP - 1):] + [_tag(username)]
    response.set_cookie(KNOWN_BROWSER_COOKIE, signing.dumps(tags, salt=_KNOWN_SALT), max_age=_KNOWN_MAX_AGE,
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")


def wait_seconds(request, username: str) -> int:
    """How long this attempt must still wait (0: go ahead)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    now = timezone.now()
    waits = [0]
    # A name no account can have (NUL, lone surrogates: the database cannot even compare them) is refused by the
    # form itself; it must not reach the query.
    if username and any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in username):
        username = ""
    if username and not is_known_browser(request, username):
        account = recent.filter(username=username).aggregate(failures=Sum("failures_since_start"),
                                                             last=Max("attempt_time"))
        excess = (account["failures"] or 0) - settings.HROMADA_LOGIN_ACCOUNT_FAILURES + 1
        if account["last"] and excess > 0:
            waits.append(_delay(excess) - (now - account["last"]).total_seconds())
    address = get_client_ip_address(request)
    if address and not (username and is_known_browser(request, username)):
        sprayed = recent.filter(ip_address=address).aggregate(accounts=Count("username", distinct=True),
                                                              last=Max("attempt_time"))
        excess = sprayed["accounts"] - settings.HROMADA_LOGIN_ADDRESS_ACCOUNTS
        if sprayed["last"] and excess > 0:
            waits.append(_delay(excess) - (now - sprayed["last"]).total_seconds())
    return max(0, math.ceil(max(waits)))


def slowed_message(seconds: int) -> str:
    return _("Забагато невдалих спроб входу. Спробуйте ще раз через %(seconds)s с.") % {"seconds": seconds}
