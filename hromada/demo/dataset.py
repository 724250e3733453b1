"""A realistic national dataset on the real codifier, for benchmarks, load tests and demos at scale.

Deterministic for a seed and an ``as_of`` date. Builds: front offices in every hromada outside occupied
Crimea (a second one, a ЦНАП, in larger hromadas), the deciding authorities' back offices — per raion a
social-protection department and a Pension Fund service centre, city departments for oblast centres, per hromada a
children's service — each application routed to the office ``deciding_office_for`` picks, ~13.5k staff users,
persons with valid РНОКПП and households, applications over all service types and
all workflow states with realistic timing (returns, overdue cases), document metadata and event history.
Rows are bulk-loaded (COPY on PostgreSQL); billing and onboarding data are produced afterwards through the
apps' own services when those apps provide them.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from stdnum.ua import rntrc

from hromada.accounts.models import Role, User
from hromada.accounts.signals import staff_written_in_bulk
from hromada.applications.models import (
    HISTORY,
    Application,
    Channel,
    Document,
    IssueMethod,
    NumberSequence,
    Participant,
    ParticipantRole,
    Receipt,
    Status,
)
from hromada.applications.services.numbering import format_number
from hromada.backoffice.models import Decision, Outcome, ReturnRequest
from hromada.backoffice.reasons import reasons_for
from hromada.catalog import calendar
from hromada.catalog.models import ServiceType, Timing
from hromada.children import rules as children_rules
from hromada.children.models import CaseCircumstance, CaseSequence, CaseStatus, ChildCase, Reporter
from hromada.children.models import Event as ChildEvent
from hromada.children.services import NO_RNOKPP_REASON
from hromada.core import partitions
from hromada.core.context import uuid7_hex
from hromada.core.errors import ValidationFailed
from hromada.core.text import normalize_name
from hromada.offices.models import (
    AUTHORITY_KINDS,
    RAION_LEVEL_AUTHORITIES,
    Authority,
    Function,
    HromadaServing,
    Kind,
    Office,
    StaffPosition,
    authority_of_kind,
)
from hromada.offices.selectors import forget_served_hromadas
from hromada.persons.models import HouseholdMember, IdDocumentType, Person, PersonAccess, Relation
from hromada.territory.models import Category, Unit

from .bulk import BulkLoader

KYIV = ZoneInfo("Europe/Kyiv")
DATASET_PASSWORD = "dataset12345"  # generated staff accounts only; never used outside load tests
EPOCH = date(1899, 12, 31)

# Share of applications per service (roughly how often each is asked for in hromadas).
SERVICE_WEIGHTS = {
    "housing_subsidy": 24, "idp_living_allowance": 20, "low_income_family": 14, "birth_assistance": 7,
    "disability_since_childhood": 6, "care_allowance": 6, "single_mother_children": 4, "child_care_under_3": 3,
    "funeral_assistance": 4, "temporary_child_assistance": 2, "pregnancy_childbirth": 3, "idp_certificate": 5,
    "large_family_certificate": 1, "child_rights": 1,
}

LAST_M = ["Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук", "Поліщук", "Бойко",
          "Мельник", "Коваль", "Лисенко", "Марченко", "Руденко", "Савченко", "Петренко", "Мороз", "Павленко",
          "Левченко", "Гончаренко", "Кравчук", "Романенко", "Кушнір", "Мазур", "Ковальчук", "Тарасенко", "Гнатюк",
          "Вакуленко", "Дмитренко", "Захарченко", "Остапенко", "Клименко", "Іваненко", "Лук'яненко", "Прокопенко",
          "Ярошенко", "Назаренко", "Білоус", "Соловйов", "Семенюк", "Федорчук", "Пономаренко", "Кузьменко", "Юрченко"]
FIRST_M = ["Олександр", "Андрій", "Сергій", "Володимир", "Іван", "Микола", "Василь", "Петро", "Юрій", "Дмитро",
           "Олег", "Тарас", "Богдан", "Віктор", "Михайло", "Ярослав", "Степан", "Роман", "Артем", "Максим"]
FIRST_F = ["Олена", "Наталія", "Ірина", "Оксана", "Тетяна", "Світлана", "Людмила", "Марія", "Ганна", "Юлія",
           "Катерина", "Валентина", "Галина", "Ольга", "Надія", "Вікторія", "Софія", "Анастасія", "Любов", "Віра"]
STREETS = ["Шевченка", "Соборна", "Центральна", "Миру", "Незалежності", "Лесі Українки", "Садова", "Зелена",
           "Шкільна", "Польова", "Молодіжна", "Івана Франка", "Героїв України", "Лісова"]


def patronymic(first: str, sex: str) -> str:
    stem = {"Микола": "Миколай", "Юрій": "Юрій", "Дмитро": "Дмитр", "Петро": "Петр", "Іван": "Іван",
            "Олег": "Олег", "Ярослав": "Ярослав"}.get(first, first.rstrip("ь"))
    if stem.endswith("й"):
        return stem[:-1] + ("йович" if sex == "M" else "ївна")
    return stem + ("ович" if sex == "M" else "івна")


def make_rnokpp(birth: date, sex: str, serial: int) -> str:
    """A valid РНОКПП: digits 1–5 days since 31.12.1899, 6–8 a serial, 9th odd for men / even for women,
    10th the control digit (python-stdnum computes it)."""
    days = (birth - EPOCH).days
    sex_digit = (serial % 5) * 2 + (1 if sex == "M" else 0)
    body = f"{days:05d}{(serial // 5) % 1000:03d}{sex_digit}"
    return body + rntrc.calc_check_digit(body)


@dataclass
class Options:
    applications: int = 10000
    persons: int | None = None
    seed: int = 1
    as_of: date = field(default_factory=date.today)
    months: int = 18
    staff: int = 13500
    # Child-protection cases, each with its child (a person under 18): one per 50 applications unless given (100
    # thousand at the national size). The bench's assumption of the children's services' caseload, not an official
    # figure; it is there because every person read tests whether the person is such a child (#24).
    child_cases: int | None = None
    progress: Callable[[str, int], None] | None = None
    # Applications written per step with their participants, scans, events and audit entries: the rows of one step
    # are held in memory (~10 KB per application), so the national size (5 M) fits in a few hundred MB.
    chunk: int = 50_000


@dataclass
class Result:
    counts: dict
    seconds: float = 0.0


class _Staging:
    """A temporary table of the generated audit entries, read back in time order (``Generator.write_audit``):
    COPY on PostgreSQL, executemany on SQLite; the time as microseconds since the epoch, so that both engines
    sort it alike."""
    TABLE = "hromada_gen_audit_staged"
    COLUMNS = ("n", "t", "actor_id", "action", "object_type", "object_id", "hromada_id", "ip", "request_id",
               "details", "chain")
    CHUNK = 100_000
    EPOCH = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))

    def __init__(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.TABLE} (n bigint NOT NULL, t bigint NOT NULL, "
                           "actor_id bigint, action varchar(64), object_type varchar(64), object_id varchar(64), "
                           "hromada_id bigint, ip varchar(64), request_id varchar(64), details text, chain bigint)")
        self.indexed = False

    def write(self, rows) -> None:
        def stamped():
            for n, at, *rest in rows:
                delta = at - self.EPOCH
                yield (n, (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds, *rest)

        columns = ", ".join(self.COLUMNS)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self.TABLE} ({columns}) FROM STDIN") as copy:
                    for row in stamped():
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO {self.TABLE} ({columns}) "  # noqa: S608 — the class's own names
                                   f"VALUES ({', '.join(['%s'] * len(self.COLUMNS))})", list(stamped()))

    def actors(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT actor_id FROM {self.TABLE} WHERE actor_id IS NOT NULL")  # noqa: S608
            return [row[0] for row in cursor.fetchall()]

    def in_time_order(self):
        """Chunks of rows (n, at, actor, action, object type, object id, hromada, ip, request id, details,
        chain), oldest first (ties in the order staged). Read a chunk at a time: the connection writes the entries
        between two reads."""
        columns = ", ".join(self.COLUMNS)
        with connection.cursor() as cursor:
            if not self.indexed:
                cursor.execute(f"CREATE INDEX {self.TABLE}_t ON {self.TABLE} (t, n)")
                self.indexed = True
            last = (-2**62, -1)   # before any time
            while True:
                # A row comparison: both engines read it as a range of the (t, n) index.
                cursor.execute(f"SELECT {columns} FROM {self.TABLE} WHERE (t, n) > (%s, %s) "  # noqa: S608
                               f"ORDER BY t, n LIMIT %s", [last[0], last[1], self.CHUNK])
                chunk = cursor.fetchall()
                if not chunk:
                    return
                last = (chunk[-1][1], chunk[-1][0])
                yield [(n, self.EPOCH + timedelta(microseconds=t), *rest) for n, t, *rest in chunk]

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")


class Generator:
    def __init__(self, opts: Options):
        self.o = opts
        self.rng = random.Random(opts.seed)
        # What happens after each step of a case (amounts, reasons, how a result was handed out) draws from a
        # stream of its own: the datasets of a seed keep their applications, persons and offices as before.
        self.after_rng = random.Random(opts.seed + 7919)
        self.loader = BulkLoader()
        self._staging: _Staging | None = None   # the audit entries, staged until they are written in time order
        self._staged = 0
        self.password_hash = make_password(DATASET_PASSWORD)
        self.off = calendar.days_off()

    def tick(self, what: str, n: int = 1):
        if self.o.progress:
            self.o.progress(what, n)

    # --- offices and staff -----------------------------------------------------------------------------
    def offices(self):
        hromadas = list(Unit.objects.filter(category=Category.HROMADA, is_active=True, in_crimea=False)
                        .select_related("raion", "oblast").order_by("code"))
        if not hromadas:
            raise ValidationFailed("Спершу імпортуйте кодифікатор: python manage.py import_katottg", code="codifier_missing")
        existing_front = set(Office.objects.filter(function=Function.FRONT).values_list("hromada_id", flat=True))
        raions = sorted({h.raion_id for h in hromadas})
        # Existing back offices (the demo's) by the authority they act for and their territory.
        existing_back = {(authority_of_kind(kind), territory_id) for kind, territory_id in Office.objects.filter(
            function=Function.BACK, is_active=True).values_list("kind", "territory_id")}
        raion_names = dict(Unit.objects.filter(id__in=raions).values_list("id", "name"))
        now = datetime.now(tz=KYIV)
        rows = []
        for raion_id in raions:
            if (Authority.SOCIAL_PROTECTION, raion_id) not in existing_back:
                rows.append(dict(id=self.loader.next_id(Office),
                                 name=f"Управління соціального захисту населення {raion_names[raion_id]}ської РДА",
                                 function=Function.BACK, kind=Kind.RAION_SOCIAL_PROTECTION, territory_id=raion_id,
                                 hromada_id=None, created_at=now, opened_on=date(2021, 1, 1)))
            # Since 01.07.2025 the Pension Fund decides most state social assistance (catalog: deciding_authority).
            if (Authority.PENSION_FUND, raion_id) not in existing_back:
                rows.append(dict(id=self.loader.next_id(Office),
                                 name=f"Сервісний центр Пенсійного фонду України у {raion_names[raion_id]}ському районі",
                                 function=Function.BACK, kind=Kind.PFU_SERVICE_CENTRE, territory_id=raion_id,
                                 hromada_id=None, created_at=now, opened_on=date(2021, 1, 1)))
        # Children's-rights matters go to the hromada's own children's service, one per hromada.
        for h in hromadas:
            if (Authority.CHILDREN_SERVICE, h.id) not in existing_back:
                rows.append(dict(id=self.loader.next_id(Office), name=f"Служба у справах дітей {h.name} громади",
                                 function=Function.BACK, kind=Kind.CHILDREN_SERVICE, territory_id=h.id,
                                 hromada_id=None, created_at=now, opened_on=date(2021, 1, 1)))
            # Social services are decided by the hromada's own social-protection body (Law «Про соціальні послуги»).
            if (Authority.HROMADA_SOCIAL_UNIT, h.id) not in existing_back:
                rows.append(dict(id=self.loader.next_id(Office), name=f"Відділ соціального захисту {h.name} громади",
                                 function=Function.BACK, kind=Kind.HROMADA_SOCIAL_PROTECTION, territory_id=h.id,
                                 hromada_id=None, created_at=now, opened_on=date(2021, 1, 1)))
        # Oblast centres' city councils run their own departments and serve their hromada.
        centres = {h.id: h for h in hromadas if h.name.rstrip() and self._is_oblast_centre(h)}
        city_serving = []
        served = set(HromadaServing.objects.filter(back_office__kind__in=AUTHORITY_KINDS[Authority.SOCIAL_PROTECTION])
                     .values_list("hromada_id", flat=True))
        for hid, h in centres.items():
            if hid in served:
                continue
            oid = self.loader.next_id(Office)
            rows.append(dict(id=oid, name=f"Департамент соціальної політики {h.name}ської міської ради",
                             function=Function.BACK, kind=Kind.CITY_SOCIAL_PROTECTION, territory_id=hid,
                             hromada_id=None, created_at=now, opened_on=date(2021, 1, 1)))
            city_serving.append(dict(hromada_id=hid, back_office_id=oid, since=date(2021, 1, 1),
                                     note="Власний департамент міської ради"))
        self.front_offices: list[tuple[int, int]] = []  # (office id, hromada id)
        self.hromada_weight: dict[int, float] = {}
        for h in hromadas:
            weight = 6.0 if h.id in centres else self.rng.choice([0.6, 0.8, 1, 1, 1.2, 1.5, 2, 3])
            self.hromada_weight[h.id] = weight
            if h.id in existing_front:
                continue
            oid = self.loader.next_id(Office)
            rows.append(dict(id=oid, name=f"Фронт-офіс {h.name} громади", function=Function.FRONT,
                             kind=Kind.HROMADA_SOCIAL_UNIT, territory_id=h.id, hromada_id=h.id, created_at=now,
                             opened_on=date(2021, 3, 1)))
            if weight >= 2:
                oid2 = self.loader.next_id(Office)
                rows.append(dict(id=oid2, name=f"ЦНАП {h.name} громади", function=Function.FRONT, kind=Kind.CNAP,
                                 territory_id=h.id, hromada_id=h.id, created_at=now, opened_on=date(2021, 3, 1)))
        self.loader.write(Office, rows)
        self.loader.write(HromadaServing, ({"id": self.loader.next_id(HromadaServing), **r} for r in city_serving))
        self.loader.reset_sequences([Office, HromadaServing])
        forget_served_hromadas()   # offices and overrides written in bulk (no post_save)
        self.front_offices = list(Office.objects.filter(function=Function.FRONT, is_active=True)
                                  .order_by("id").values_list("id", "hromada_id"))
        self.route = self._routes(hromadas)
        routed = set(self.route.values())
        kind_of = dict(Office.objects.filter(id__in=routed).values_list("id", "kind"))
        self.children_offices = sorted(o for o in routed if kind_of[o] == Kind.CHILDREN_SERVICE)
        self.social_offices = sorted(o for o in routed if kind_of[o] == Kind.HROMADA_SOCIAL_PROTECTION)
        self.back_offices = sorted(o for o in routed
                                   if kind_of[o] not in (Kind.CHILDREN_SERVICE, Kind.HROMADA_SOCIAL_PROTECTION))
        self.tick("offices", len(rows))

    @staticmethod
    def _routes(hromadas: list[Unit]) -> dict[tuple[int, str], int]:
        """(hromada id, authority) → the office ``offices.selectors.deciding_office_for`` picks, in three queries:
        the hromada's override to an active office of the authority, else the authority's first active office (by
        id) of the hromada's raion (social protection, Pension Fund) or of the hromada itself."""
        first_at: dict[tuple[str | None, int], int] = {}
        for oid, kind, territory_id in (Office.objects.filter(function=Function.BACK, is_active=True)
                                        .order_by("id").values_list("id", "kind", "territory_id")):
            first_at.setdefault((authority_of_kind(kind), territory_id), oid)
        overrides: dict[tuple[int, str | None], int] = {}
        for hid, oid, kind in (HromadaServing.objects.filter(back_office__is_active=True).order_by("id")
                               .values_list("hromada_id", "back_office_id", "back_office__kind")):
            overrides.setdefault((hid, authority_of_kind(kind)), oid)
        route = {}
        for h in hromadas:
            for authority in Authority:
                territory_id = h.raion_id if authority in RAION_LEVEL_AUTHORITIES else h.id
                office = overrides.get((h.id, authority)) or first_at.get((authority, territory_id))
                if office:
                    route[(h.id, authority.value)] = office
        return route

    @staticmethod
    def _is_oblast_centre(h: Unit) -> bool:
        return h.name == OBLAST_CENTRES.get(h.oblast.name)

    def staff(self):
        rows, positions = [], []
        self.front_staff: dict[int, list[int]] = {}
        self.back_staff: dict[int, list[int]] = {}
        existing = set(User.objects.values_list("username", flat=True))
        n_front = max(self.o.staff - 6 * len(self.back_offices) - len(self.children_offices) - len(self.social_offices),
                      len(self.front_offices))
        per_front, extra = divmod(n_front, max(1, len(self.front_offices)))
        now = datetime.now(tz=KYIV)

        def add(username, role, office_id, territory_id=None):
            if username in existing:
                return None
            uid = self.loader.next_id(User)
            sex = self.rng.choice("MF")
            first = self.rng.choice(FIRST_M if sex == "M" else FIRST_F)
            last = self.rng.choice(LAST_M)
            if sex == "F" and last.endswith("ий"):
                last = last[:-2] + "а"
            rows.append(dict(id=uid, username=username, password=self.password_hash, role=role, office_id=office_id,
                             first_name=first, last_name=last, patronymic=patronymic(self.rng.choice(FIRST_M), sex),
                             email=f"{username}@dataset.hromada.example", is_active=True, is_staff=False,
                             is_superuser=False, date_joined=now, last_login=None, territory_id=territory_id,
                             phone=""))
            positions.append(dict(id=self.loader.next_id(StaffPosition), office_id=office_id, user_id=uid,
                                  title=str(Role(role).label), since=date(2021, 3, 1), until=None))
            return uid

        for index, (office_id, _h) in enumerate(self.front_offices):
            count = max(1, per_front + (1 if index < extra else 0))
            ids = [add(f"f{office_id}_{i}", Role.FRONT_SPECIALIST, office_id) for i in range(count)]
            self.front_staff[office_id] = [i for i in ids if i]
        for office_id in self.back_offices:
            ids = [add(f"b{office_id}_{i}", Role.BACK_SPECIALIST, office_id) for i in range(5)]
            add(f"b{office_id}_head", Role.BACK_HEAD, office_id)
            self.back_staff[office_id] = [i for i in ids if i]
        # A children's service: one specialist of the hromada's service (a territory role, like the demo's).
        territory_of = dict(Office.objects.filter(id__in=self.children_offices).values_list("id", "territory_id"))
        for office_id in self.children_offices:
            uid = add(f"c{office_id}_0", Role.CHILD_SERVICE, office_id, territory_of[office_id])
            self.back_staff[office_id] = [uid] if uid else []
        # The hromada's social-protection body: one social-work specialist (a territory role, like the demo's).
        territory_of = dict(Office.objects.filter(id__in=self.social_offices).values_list("id", "territory_id"))
        for office_id in self.social_offices:
            uid = add(f"s{office_id}_0", Role.SOCIAL_WORKER, office_id, territory_of[office_id])
            self.back_staff[office_id] = [uid] if uid else []
        self.loader.write(User, rows)
        self.loader.write(StaffPosition, positions)
        self.loader.reset_sequences([User, StaffPosition])
        staff_written_in_bulk.send(sender=User)   # no post_save for them
        # Offices that already had staff (demo) keep theirs.
        for office_id, uid in User.objects.filter(
                office_id__in=[o for o, _ in self.front_offices], role=Role.FRONT_SPECIALIST
        ).order_by("id").values_list("office_id", "id"):
            if uid not in self.front_staff.setdefault(office_id, []):
                self.front_staff[office_id].append(uid)
        for office_id, uid in User.objects.filter(
                office_id__in=self.back_offices + self.children_offices, role__in=[Role.BACK_SPECIALIST, Role.CHILD_SERVICE]
        ).order_by("id").values_list("office_id", "id"):
            if uid not in self.back_staff.setdefault(office_id, []):
                self.back_staff[office_id].append(uid)
        self.tick("staff", len(rows))

    # --- persons -----------------------------------------------------------------------------------------
    def persons(self):
        n = self.o.persons or max(1, int(self.o.applications * 0.8))
        hromadas = [h for _, h in self.front_offices]
        weights = [self.hromada_weight[h] for h in hromadas]
        settlements: dict[int, list[int]] = {}
        raion_of: dict[int | None, int | None] = {None: None}
        for sid, hid, raion_id in Unit.objects.filter(hromada_id__in=set(hromadas), category__in=["M", "X", "C", "T"]
                                                      ).order_by("id").values_list("id", "hromada_id", "raion_id"):
            settlements.setdefault(hid, []).append(sid)
            raion_of[sid] = raion_id
        used_rnokpp = set(Person.objects.exclude(rnokpp=None).values_list("rnokpp", flat=True))
        # ID cards are numbered by the person's id; one a resident already holds (the demo's 001234567 met id
        # 1,234,567 at the national size) takes a number counted down from 999999999 instead.
        used_cards = set(Person.objects.filter(id_document_type=IdDocumentType.ID_CARD)
                         .values_list("id_document_number", flat=True))
        spare_cards = itertools.count(10**9 - 1, -1)

        def card_number(pid: int) -> str:
            number = f"{pid:09d}"[-9:]
            while number in used_cards:
                number = f"{next(spare_cards):09d}"
            return number
        self.person_ids: list[int] = []
        self.person_hromada: dict[int, int] = {}
        self.person_birth: dict[int, date] = {}
        now = datetime.now(tz=KYIV)
        rng = self.rng
        household = []

        def rows():
            serial = rng.randrange(1000)
            for i in range(n):
                pid = self.loader.next_id(Person)
                hid = rng.choices(hromadas, weights)[0]
                sex = rng.choice("MF")
                age_days = rng.randint(18 * 365, 88 * 365)
                birth = self.o.as_of - timedelta(days=age_days)
                while True:
                    serial += 1
                    number = make_rnokpp(birth, sex, serial)
                    if number not in used_rnokpp:
                        used_rnokpp.add(number)
                        break
                last = rng.choice(LAST_M)
                first = rng.choice(FIRST_M if sex == "M" else FIRST_F)
                patr = patronymic(rng.choice(FIRST_M), sex)
                self.person_ids.append(pid)
                self.person_hromada[pid] = hid
                self.person_birth[pid] = birth
                if i and rng.random() < 0.3:
                    other = self.person_ids[rng.randrange(len(self.person_ids) - 1)]
                    household.append(dict(id=self.loader.next_id(HouseholdMember), person_id=other, member_id=pid,
                                          relation=rng.choice([Relation.SPOUSE, Relation.CHILD, Relation.PARENT]),
                                          since=None))
                if i % 10000 == 0:
                    self.tick("persons", 10000)
                yield dict(id=pid, last_name=last, first_name=first, patronymic=patr, birth_date=birth, sex=sex,
                           rnokpp=number, no_rnokpp_reason="", id_document_type=IdDocumentType.ID_CARD,
                           id_document_number=card_number(pid), name_key=normalize_name(f"{last} {first} {patr}"),
                           settlement_id=(sid := rng.choice(settlements.get(hid) or [None])), raion_id=raion_of[sid],
                           street=rng.choice(STREETS),
                           house=str(rng.randint(1, 150)), flat="", phone=f"+38067{rng.randint(0, 9999999):07d}",
                           email="", is_idp=rng.random() < 0.12, registered_hromada_id=hid, registered_by_id=None,
                           created_at=now, updated_at=now, version=1)

        self.loader.write(Person, rows())
        self.settlements, self.raion_of = settlements, raion_of
        self.loader.write(HouseholdMember, household)
        self.loader.reset_sequences([Person, HouseholdMember])
        self.household_links = [(h["person_id"], h["member_id"], h["relation"]) for h in household]

    # --- children's cases ---------------------------------------------------------------------------------
    def child_cases(self):
        """Cases of the children's services, each just registered (as ``children.services.register_child_case`` leaves
        it: the case, its circumstance, the school that reported it, the "register" event) with its child: a new person
        of the case's hromada under 18 on the day of the report, no РНОКПП given, flagged as the child of a case, living
        in one of the hromada's settlements (as a child already in the registry with her family is). Numbered as the
        service numbers them; each hromada's counter is left at its last number, so the next case registered by hand
        takes the one after. Their audit entries are not written (the bytes measured are per application). The flag is
        written with the person: the generator's load may run with the triggers off (a superuser's)."""
        n = self.o.child_cases if self.o.child_cases is not None else self.o.applications // 50
        rng = self.rng
        served = [(h, self.route[(h, Authority.CHILDREN_SERVICE.value)]) for h in dict(self.front_offices).values()
                  if (h, Authority.CHILDREN_SERVICE.value) in self.route]
        served = [(h, self.back_staff[o][0]) for h, o in served if self.back_staff.get(o)]
        if not n or not served:
            return
        weights = [self.hromada_weight.get(h, 1) for h, _u in served]
        code_of = dict(Unit.objects.filter(id__in=[h for h, _u in served]).values_list("id", "code"))
        last = {(h, y): n for h, y, n in CaseSequence.objects.values_list("hromada_id", "year", "last")}
        urgencies = list(children_rules.urgencies())
        circumstances = list(children_rules.circumstances())
        now = datetime.now(tz=KYIV)
        persons, cases, marks, reporters, events = [], [], [], [], []
        for _i in range(n):
            hid, registered_by = rng.choices(served, weights)[0]
            reported = self.o.as_of - timedelta(days=rng.randint(0, 30 * self.o.months))
            sex = rng.choice("MF")
            birth = reported - timedelta(days=rng.randint(30, 17 * 365))
            first, last_name = rng.choice(FIRST_M if sex == "M" else FIRST_F), rng.choice(LAST_M)
            patr = patronymic(rng.choice(FIRST_M), sex)
            pid = self.loader.next_id(Person)
            persons.append(dict(id=pid, last_name=last_name, first_name=first, patronymic=patr, birth_date=birth,
                                sex=sex, rnokpp=None, no_rnokpp_reason=NO_RNOKPP_REASON, in_child_case=True,
                                id_document_type="", id_document_number="",
                                name_key=normalize_name(f"{last_name} {first} {patr}"),
                                settlement_id=(sid := rng.choice(self.settlements.get(hid) or [None])),
                                raion_id=self.raion_of[sid], registered_hromada_id=hid, registered_by_id=registered_by,
                                created_at=now, updated_at=now, version=1))
            key = (hid, reported.year)
            last[key] = last.get(key, 0) + 1
            urgency = rng.choice(urgencies)
            code = rng.choice(circumstances)
            at = datetime.combine(reported, time(10), tzinfo=KYIV)
            cid = self.loader.next_id(ChildCase)
            cases.append(dict(id=cid, number=f"СД-{code_of[hid][2:12]}-{reported.year}-{last[key]:05d}", child_id=pid,
                              hromada_id=hid, status=CaseStatus.REGISTERED, registered_by_id=registered_by,
                              registered_at=at, reported_on=reported, reporter_type="school", urgency=urgency,
                              summary="", assessment_due=children_rules.assessment_due(reported, urgency), version=1,
                              updated_at=now))
            marks.append(dict(id=self.loader.next_id(CaseCircumstance), case_id=cid, code=code))
            reporters.append(dict(id=self.loader.next_id(Reporter), case_id=cid, name="Заклад загальної середньої освіти",
                                  organisation="", phone="", details=""))
            events.append(dict(id=self.loader.next_id(ChildEvent), case_id=cid, action="register", from_status="",
                               to_status=CaseStatus.REGISTERED, actor_id=registered_by, at=at, comment="",
                               data={"urgency": urgency, "circumstances": [code], "reporter_type": "school"}))
        self.loader.write(Person, persons)
        self.loader.write(ChildCase, cases)
        self.loader.write(CaseCircumstance, marks)
        self.loader.write(Reporter, reporters)
        self.loader.write(ChildEvent, events)
        CaseSequence.objects.bulk_create([CaseSequence(hromada_id=h, year=y, last=v) for (h, y), v in last.items()],
                                         update_conflicts=True, unique_fields=["hromada", "year"],
                                         update_fields=["last"])
        self.loader.reset_sequences([Person, ChildCase, CaseCircumstance, Reporter, ChildEvent, CaseSequence])
        self.tick("child cases", n)

    # --- applications -------------------------------------------------------------------------------------
    def applications(self):
        services = {s.code: s for s in ServiceType.objects.prefetch_related("documents")}
        codes = [c for c in SERVICE_WEIGHTS if c in services]
        weights = [SERVICE_WEIGHTS[c] for c in codes]
        offices = self.front_offices
        route = self.route
        office_weights = [self.hromada_weight[h] for _, h in offices]
        rng = self.rng
        as_of = self.o.as_of
        span = self.o.months * 30
        # PostgreSQL: the months of the intake's audit entries get their partitions before COPY, or
        # every row would land in the DEFAULT.
        from hromada.audit.models import AuditEntry
        partitions.ensure_month_partitions(connection, AuditEntry._meta.db_table, as_of - timedelta(days=span + 31),
                                           as_of)
        hromada_code = dict(Unit.objects.filter(id__in={h for _, h in offices}).values_list("id", "code"))
        seq: dict[tuple[int, int], int] = {}
        for hid, year, last in NumberSequence.objects.values_list("hromada_id", "year", "last"):
            seq[(hid, year)] = last
        by_hromada_persons: dict[int, list[int]] = {}
        for pid in self.person_ids:
            by_hromada_persons.setdefault(self.person_hromada[pid], []).append(pid)
        applicants: list[dict] = []   # the cases' applicants, for their access rows
        participants, documents = [], []
        after: dict[type, list[dict]] = {Decision: [], ReturnRequest: [], Receipt: []}
        hromada_of: dict[int, int] = {}   # application id → its hromada
        # What the product audits for each case — its intake (person.register, application.create, a
        # document_attach per scan, application.submit) and every later step the services audit (take, return,
        # resubmit, grant or refuse, send_result, issue, withdraw) — kept here as (hromada, application, steps) and
        # chained per oblast after the applications are written.
        self.audited: list[tuple[int, int, list[tuple]]] = []

        def at(day: date, hour: int | None = None) -> datetime:
            return datetime.combine(day, time(hour if hour is not None else rng.randint(8, 16), rng.randint(0, 59)),
                                    tzinfo=KYIV)

        def rows():
            for i in range(self.o.applications):
                aid = self.loader.next_id(Application)
                office_id, hid = rng.choices(offices, office_weights)[0]
                service = services[rng.choices(codes, weights)[0]]
                staff = self.front_staff.get(office_id) or [None]
                registered_by = rng.choice(staff)
                age = int(rng.random() ** 1.3 * span)  # more recent applications are more frequent
                reg_day = as_of - timedelta(days=age)
                while reg_day.weekday() >= 5 and rng.random() < 0.9:
                    reg_day -= timedelta(days=1)
                registered_at = at(reg_day)
                app_date = calendar.next_working_day(reg_day, self.off)
                year = registered_at.year
                seq[(hid, year)] = seq.get((hid, year), 0) + 1
                number = format_number(hromada_code[hid], year, seq[(hid, year)])
                back_office = route.get((hid, service.deciding_authority))
                if back_office is None:
                    raise ValidationFailed(f"Для громади {hid} немає офісу органу {service.deciding_authority}",
                                           code="no_deciding_office")
                back_staff = self.back_staff.get(back_office) or [None]
                status, fields, evs = self._lifecycle(service, reg_day, app_date, registered_at, registered_by,
                                                      back_staff, age)
                pool = by_hromada_persons.get(hid) or self.person_ids
                applicant = rng.choice(pool)
                # The applicant is the case's applicant_person (below), not a participant row, as the intake writes it.
                applicants.append(dict(application_id=aid, person_id=applicant))
                if rng.random() < 0.35:
                    member = rng.choice(pool)
                    if member != applicant:
                        participants.append(dict(id=self.loader.next_id(Participant), application_id=aid,
                                                 person_id=member, role=ParticipantRole.FAMILY_MEMBER))
                for req in list(service.documents.all())[: rng.randint(2, 5)]:
                    if req.timing == Timing.CONDITIONAL and rng.random() < 0.7:
                        continue
                    sha = hashlib.sha256(f"{self.o.seed}:{aid}:{req.code}".encode()).hexdigest()
                    documents.append(dict(id=self.loader.next_id(Document), application_id=aid,
                                          requirement_code=req.code, file="",   # the derived name, as the product stores it
                                          original_name=f"{req.code}.pdf", content_type="application/pdf",
                                          size=rng.randint(60_000, 900_000), pages=rng.randint(1, 4), sha256=sha,
                                          uploaded_by_id=registered_by, uploaded_at=registered_at, late=False))
                scans = [d for d in documents[-8:] if d["application_id"] == aid]
                channel = rng.choices([Channel.IN_PERSON, Channel.CNAP, Channel.POST, Channel.ELECTRONIC],
                                      [70, 15, 5, 10])[0]
                # The front office's screens: a request each for the case and every scan. Steps: (action,
                # object type, object id, details, time, actor, request of the case's, the request's address kept —
                # the services that are given the request record where it came from).
                # The resident was registered once, before her first case (``person_entries``); finding her again is a
                # read, and reads are not generated (bench/README, "What the audit figure counts").
                steps = [("application.create", "applications.application", aid, {"service": service.code},
                          registered_at, registered_by, 1, False)]
                steps += [("application.document_attach", "applications.application", aid,
                           {"document": d["id"], "document_code": d["requirement_code"], "pages": d["pages"]},
                           registered_at, registered_by, 2 + n, True) for n, d in enumerate(scans)]
                events = [dict(action="create", from_status=Status.DRAFT, to_status=Status.DRAFT, actor_id=registered_by,
                               at=registered_at, comment="",
                               data={"channel": channel} if channel != Channel.IN_PERSON else {})]
                version = self._after_intake(aid, service, evs, fields, back_office, scans, steps, events, after)
                history = b""   # the case's events packed into its row, as the workflow engine appends them
                for event in events:
                    history = HISTORY.append(history, **event)
                    if event["action"] in ("grant", "refuse"):
                        fields["granted"] = event["action"] == "grant"
                self.audited.append((hid, aid, steps))
                if i % 10000 == 0:
                    self.tick("applications", 10000)
                hromada_of[aid] = hid
                yield dict(id=aid, number=number, service_id=service.id, status=status, channel=channel,
                           front_office_id=office_id, hromada_id=hid, applicant_person_id=applicant,
                           back_office_id=back_office if status != Status.DRAFT else None,
                           registered_by_id=registered_by, registered_at=registered_at, application_date=app_date,
                           paper_received_on=reg_day if channel == Channel.POST else None, handover_late=False,
                           documents_deadline=None, draft_data={}, updated_at=registered_at, version=version,
                           history=history, **fields)

        granted: set[int] = set()  # (person, hromada) pairs written, as person << 32 | hromada (a third of a tuple's memory)
        generated = rows()
        while chunk := list(itertools.islice(generated, max(1, self.o.chunk))):
            self.loader.write(Application, chunk)
            self.loader.write(Participant, participants)
            # As the services keep it: a participant registered in another hromada may be seen in the hromada of
            # the application (persons.PersonAccess; the generated persons are new, so a pair is new unless an
            # earlier step wrote it).
            pairs = sorted({p["person_id"] << 32 | hromada_of[p["application_id"]]
                            for p in itertools.chain(applicants, participants)
                            if self.person_hromada.get(p["person_id"]) != hromada_of[p["application_id"]]} - granted)
            granted.update(pairs)
            self.loader.write(PersonAccess, [dict(id=self.loader.next_id(PersonAccess), person_id=pair >> 32,
                                                  hromada_id=pair & 0xFFFFFFFF) for pair in pairs])
            self.loader.write(Document, documents)
            for model, written in after.items():
                self.loader.write(model, written)
                written.clear()
            self.audit_entries()
            for written in (applicants, participants, documents, hromada_of):
                written.clear()
        self.loader.reset_sequences([Application, Participant, PersonAccess, Document, *after])
        self.person_entries()
        self.write_audit()
        NumberSequence.objects.bulk_create(
            [NumberSequence(hromada_id=h, year=y, last=v) for (h, y), v in seq.items()],
            update_conflicts=True, unique_fields=["hromada", "year"], update_fields=["last"])

    def person_entries(self) -> None:
        """Each generated resident's registration and each household link, audited as ``persons.services`` writes
        them (``register_person``; ``add_household_member``, a link at a time — the generated households are links
        between residents, not households registered together) by a front-office specialist of the resident's
        hromada, on a day of the four weeks before the period: before any case that names her. A random stream of
        their own: the rows before stay as they were."""
        rng = random.Random(self.o.seed + 104_729)
        staff_of: dict[int, list[int]] = {}
        for office_id, hid in self.front_offices:
            staff_of.setdefault(hid, []).extend(self.front_staff.get(office_id) or [])
        start = datetime.combine(self.o.as_of - timedelta(days=self.o.months * 30 + 28), time(9), tzinfo=KYIV)
        requests = itertools.count()

        def step(pid: int, action: str, details: dict) -> None:
            hid = self.person_hromada[pid]
            when = start + timedelta(days=rng.randint(0, 26), seconds=rng.randint(0, 8 * 3600))
            self.audited.append((hid, f"p{pid}:{next(requests)}", [
                (action, "persons.person", pid, details, when, rng.choice(staff_of[hid]), 0, True)]))
            if len(self.audited) >= 50_000:   # written in chunks, as the applications' entries are
                self.audit_entries()

        for pid in self.person_ids:
            step(pid, "person.register", {"confirmed_not_duplicate": False, "similar": []})
        for head, member, relation in self.household_links:
            step(head, "person.household_add", {"member_id": member, "relation": relation})
        self.audit_entries()

    def audit_entries(self):
        """Stage the audit entries gathered (a chunk of applications' steps, or residents' registrations). The
        cases are generated in random order of time, but the product appends its entries as things happen: ids in
        time order, each oblast's chain hashed in that order. So the entries are staged here and written once every
        step is known (``write_audit``), sorted by time."""
        if not self.audited:
            return
        oblast_of = dict(Unit.objects.filter(id__in={h for h, _a, _s in self.audited}).values_list("id", "oblast_id"))
        staged = self._audit_stage()

        def rows():
            for hid, aid, steps in self.audited:
                chain = oblast_of.get(hid) or 0
                made: dict[int, str] = {}
                for action, object_type, object_id, details, at, actor, request, addressed in steps:
                    # The request's id (the middleware's: a version 7 UUID of the time the request began, its
                    # first entry's, with random bits drawn from the case and the request) is on every entry
                    # written in it; its address only where the service is given the request.
                    request_id = made.get(request)
                    if request_id is None:
                        bits = hashlib.md5(f"{aid}:{request}".encode(), usedforsecurity=False).digest()[:10]
                        request_id = made[request] = uuid7_hex(int(at.timestamp() * 1000),
                                                               int.from_bytes(bits, "big") >> 6)
                    self._staged += 1
                    yield (self._staged, at.astimezone(ZoneInfo("UTC")), actor, action, object_type, str(object_id),
                           hid, "10.0.0.1" if addressed else None, request_id,
                           json.dumps(details, ensure_ascii=False), chain)

        staged.write(rows())
        self.audited = []

    def _audit_stage(self) -> _Staging:
        if self._staging is None:
            self._staging = _Staging()
        return self._staging

    def write_audit(self):
        """The staged entries as ``audit.services.record`` would have appended them: in time order, ids in that
        order, hash-chained per oblast onto the chains' current heads, so the bytes measured are honest and the log
        is laid out in its monthly partitions as the product's is (``audit.packing`` packs whole months)."""
        from hromada.audit.fields import term_code
        from hromada.audit.models import AuditChainHead, AuditEntry, AuditTerm
        from hromada.audit.services import GENESIS, entry_hash

        staging = self._staging
        if staging is None:
            return
        users = {uid: (name, role) for uid, name, role in User.objects.filter(
            id__in=staging.actors()).values_list("id", "username", "role")}
        heads = {h.chain: h for h in AuditChainHead.objects.all()}
        tails: dict[int, tuple[int, str]] = {c: (h.last_id, h.last_hash) for c, h in heads.items()}
        words: set[str] = set()
        for chunk in staging.in_time_order():
            out = []
            for _n, at, actor, action, object_type, object_id, hid, ip, request_id, details, chain in chunk:
                eid = self.loader.next_id(AuditEntry)
                username, role = users.get(actor, ("", ""))
                details = json.loads(details)
                fields = {"at": at.astimezone(ZoneInfo("UTC")).isoformat(), "actor_id": actor,
                          "actor_username": username, "actor_role": role, "action": action,
                          "object_type": object_type, "object_id": object_id, "hromada_id": hid, "ip": ip,
                          "request_id": request_id, "details": details}
                digest = entry_hash(tails.get(chain, (0, GENESIS))[1], fields)
                out.append(dict(id=eid, at=at, actor_id=actor, actor_username=username, actor_role=role,
                                action=action, object_type=object_type, object_id=object_id, hromada_id=hid, ip=ip,
                                request_id=request_id, details=details, chain=chain, hash=bytes.fromhex(digest)))
                tails[chain] = (eid, digest)
                words.update((action, object_type, role))
            self.loader.write(AuditEntry, out)
        staging.drop()
        self._staging = None
        self.loader.reset_sequences([AuditEntry])
        if connection.vendor == "postgresql":   # the words the entries hold as codes, as the append writes them
            AuditTerm.objects.bulk_create([AuditTerm(id=term_code(w), name=w) for w in sorted(words - {""})],
                                          ignore_conflicts=True)
        for chain, (last_id, last_hash) in tails.items():
            AuditChainHead.objects.update_or_create(chain=chain, defaults={"last_id": last_id,
                                                                           "last_hash": last_hash})

    def _after_intake(self, aid: int, service, evs: list[tuple], fields: dict, back_office: int | None,
                      scans: list[dict], steps: list[tuple], events: list[dict], after: dict[type, list[dict]]) -> int:
        """The rows the services write at each step of the case's life (``_lifecycle``'s events), as they write
        them: the event with its comment and data (into ``events``), the step's audit entry (appended to
        ``steps``), the decision, the return request and the receipts (into ``after``), what the handing out sets on
        the case (into ``fields``). The case is closed by the system in the request that hands the result out, so
        the close has no entry of its own (``issue_result`` audits the issue). Returns the case's version."""
        rng = self.after_rng
        app_type = "applications.application"
        version = 1 + len(scans)            # created at 1; each scan attached by a request of its own moves it
        request = 2 + len(scans)            # the case's requests so far (``steps``)
        returned_at = None

        def receipt(when):
            sha = hashlib.sha256(f"{self.o.seed}:{aid}:receipt:{version}".encode()).hexdigest()
            after[Receipt].append(dict(id=self.loader.next_id(Receipt), application_id=aid,
                                       file="", sha256=sha, application_version=version,   # file: derived
                                       content_key=hashlib.sha256(sha.encode()).hexdigest()[:32],
                                       created_at=when + timedelta(seconds=rng.randint(2, 40))))

        for action, from_s, to_s, when, actor in evs:
            version += 1
            comment, data, details = "", {}, {}
            if action == "submit":
                # The back office and an empty "may follow" list are told from the case (told_data), as the product
                # writes the submit.
                details = {"back_office": back_office, "handover_late": False}
                receipt(when)
            elif action == "take":
                details = {"version": version}
            elif action == "return":
                codes = [d["requirement_code"] for d in scans] or [""]
                data = {"items": [rng.choice(codes)]}
                comment = "Документ нечитабельний: додайте скан належної якості."
                details = {"items": 1}
                returned_at = when
                after[ReturnRequest].append(dict(id=self.loader.next_id(ReturnRequest), application_id=aid,
                                                 reason=comment, items=data["items"], returned_by_id=actor,
                                                 returned_at=when, resolved_at=None))
            elif action == "resubmit":
                gap = (when.date() - returned_at.date()).days if returned_at else 0
                data = {"suspended_days": gap, "due_date": fields["due_date"].isoformat()}
                details = {"suspended_days": gap}
                if after[ReturnRequest] and after[ReturnRequest][-1]["application_id"] == aid:
                    after[ReturnRequest][-1]["resolved_at"] = when
                receipt(when)
            elif action in ("grant", "refuse"):
                decision = dict(id=self.loader.next_id(Decision), application_id=aid, decided_by_id=actor,
                                decided_at=when, calculation={}, calculator="", data_version="", comment="")
                if action == "grant":
                    amount = Decimal(rng.randint(50_000, 6_000_000)).scaleb(-2)   # kopiyky, as the service keeps it
                    decision.update(outcome=Outcome.GRANTED, amount=amount, period_from=when.date(),
                                    period_to=when.date() + timedelta(days=364), reason_code="")
                    data = {"amount": str(amount)}
                else:
                    # Every generated service has a confirmed ground (backoffice/data/refusal_reasons.json).
                    code = rng.choice([r for r in reasons_for(service.code) if r.confirmed]).code
                    decision.update(outcome=Outcome.REFUSED, amount=None, period_from=None, period_to=None,
                                    reason_code=code)
                    data = {"reason_code": code}
                after[Decision].append(decision)
                details = {"decision": decision["id"]}
            elif action == "issue":
                method = rng.choices([IssueMethod.IN_PERSON, IssueMethod.POST, IssueMethod.SMS, IssueMethod.DIIA],
                                     [80, 8, 7, 5])[0]
                details = {"method": method}   # the event's is told from issue_method (told_data)
                fields.update(issue_method=method, issued_by_id=actor)
            events.append(dict(action=action, from_status=from_s, to_status=to_s, actor_id=actor, at=when,
                               comment=comment, data=data))
            if action == "close":
                continue
            # The system's send_result runs in the decision's request; the back office's services are not given
            # the request (no address on their entries); the front office's are.
            if action != "send_result":
                request += 1
            steps.append((f"application.{action}", app_type, aid, details, when, actor, request,
                          action in ("submit", "resubmit", "issue", "withdraw")))
        return version

    def _lifecycle(self, service, reg_day, app_date, registered_at, registered_by, back_staff, age):
        """Walk one application through the workflow with realistic timing; returns status, fields, events."""
        rng = self.rng
        S = Status
        events = []
        f = dict(first_submitted_at=None, submitted_at=None, due_date=None, decided_at=None, result_sent_at=None,
                 issued_at=None, closed_at=None, withdrawn_at=None, returned_days=0, return_count=0,
                 assigned_to_id=None)
        as_of_dt = datetime.combine(self.o.as_of, time(18, 0), tzinfo=KYIV)

        def done(t):
            return t <= as_of_dt

        if age <= 1 and rng.random() < 0.25:
            return S.DRAFT, f, events
        submitted = registered_at + timedelta(minutes=rng.randint(10, 240))
        if not done(submitted):
            return S.DRAFT, f, events
        f.update(first_submitted_at=submitted, submitted_at=submitted,
                 due_date=calendar.due_date(app_date, service.term_days, service.term_kind, self.off))
        events.append(("submit", S.DRAFT, S.SUBMITTED, submitted, registered_by))
        status = S.SUBMITTED
        if rng.random() < 0.02:
            w = submitted + timedelta(hours=rng.randint(1, 48))
            if done(w):
                f["withdrawn_at"] = w
                events.append(("withdraw", status, S.WITHDRAWN, w, registered_by))
                return S.WITHDRAWN, f, events
        # Review starts within 0–3 days; 10% of cases are late to be picked up (overdue risk).
        taker = rng.choice(back_staff)
        t = submitted + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 6, 12]), hours=rng.randint(1, 6))
        if not done(t):
            return status, f, events
        events.append(("take", status, S.IN_REVIEW, t, taker))
        status = S.IN_REVIEW
        f["assigned_to_id"] = taker
        if rng.random() < 0.12:  # returned for correction
            r = t + timedelta(days=rng.randint(0, 3), hours=2)
            if not done(r):
                return status, f, events
            events.append(("return", status, S.RETURNED, r, taker))
            status = S.RETURNED
            f["return_count"] = 1
            back = r + timedelta(days=rng.randint(1, 9))
            if not done(back):
                return status, f, events
            gap = (back.date() - r.date()).days
            f["returned_days"] = gap
            f["due_date"] = f["due_date"] + timedelta(days=gap)
            f["submitted_at"] = back
            events.append(("resubmit", status, S.RESUBMITTED, back, registered_by))
            events.append(("take", S.RESUBMITTED, S.IN_REVIEW, back + timedelta(hours=3), taker))
            status = S.IN_REVIEW
            t = back
        # Decision: usually within term, sometimes late.
        d = t + timedelta(days=rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16]), hours=rng.randint(0, 5))
        if not done(d):
            return status, f, events
        granted = rng.random() < 0.86
        status_after = S.DECIDED_GRANTED if granted else S.DECIDED_REFUSED
        events.append(("grant" if granted else "refuse", status, status_after, d, taker))
        f["decided_at"] = d
        status = status_after
        sent = d + timedelta(minutes=5)
        events.append(("send_result", status, S.RESULT_SENT, sent, None))
        f["result_sent_at"] = sent
        status = S.RESULT_SENT
        issued = sent + timedelta(days=rng.randint(0, 10))
        if not done(issued) or rng.random() < 0.05:
            return status, f, events
        events.append(("issue", status, S.RESULT_ISSUED, issued, registered_by))
        f["issued_at"] = issued
        status = S.RESULT_ISSUED
        closed = issued + timedelta(minutes=1)
        events.append(("close", status, S.CLOSED, closed, None))
        f["closed_at"] = closed
        return S.CLOSED, f, events


# Oblast → the hromada of its administrative centre (city councils there run their own departments).
OBLAST_CENTRES = {
    "Вінницька": "Вінницька", "Волинська": "Луцька", "Дніпропетровська": "Дніпровська", "Донецька": "Краматорська",
    "Житомирська": "Житомирська", "Закарпатська": "Ужгородська", "Запорізька": "Запорізька",
    "Івано-Франківська": "Івано-Франківська", "Київська": "Білоцерківська", "Кіровоградська": "Кропивницька",
    "Луганська": "Сєвєродонецька", "Львівська": "Львівська", "Миколаївська": "Миколаївська", "Одеська": "Одеська",
    "Полтавська": "Полтавська", "Рівненська": "Рівненська", "Сумська": "Сумська", "Тернопільська": "Тернопільська",
    "Харківська": "Харківська", "Херсонська": "Херсонська", "Хмельницька": "Хмельницька", "Черкаська": "Черкаська",
    "Чернівецька": "Чернівецька", "Чернігівська": "Чернігівська",
}


def generate(opts: Options) -> Result:
    import time as _time

    started = _time.monotonic()
    gen = Generator(opts)
    from hromada.audit.models import AuditEntry

    gen.loader.prepare([Office, HromadaServing, User, StaffPosition, Person, HouseholdMember, ChildCase,
                        CaseCircumstance, Reporter, ChildEvent, CaseSequence, Application, Participant, PersonAccess,
                        Document, Decision, ReturnRequest, Receipt, AuditEntry])
    with transaction.atomic():
        _skip_fk_checks_if_allowed()
        gen.offices()
        gen.staff()
        gen.persons()
        gen.child_cases()
        gen.applications()
    for hook in _post_hooks():
        hook(gen)
    _analyze()
    return Result(counts=gen.loader.counts, seconds=_time.monotonic() - started)


def _analyze() -> None:
    """Fresh planner statistics after a bulk load: without them SQLite drives the billing rule's duplicate check
    from the hromada index instead of the applicant's (40× slower), and PostgreSQL waits for autovacuum.

    PostgreSQL, outside a transaction: VACUUM too, as autovacuum does to a database in use — until then no page is
    marked all-visible, so no index-only scan skips the table (a raion's person count read 9,000 pages of person
    access instead of its index: 62 → 22 ms at 5 M applications)."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")


def _skip_fk_checks_if_allowed() -> None:
    """On PostgreSQL, a superuser may skip the per-row foreign-key triggers for this transaction only
    (``SET LOCAL session_replication_role = replica``): the generator allocates every key itself and its tests
    check the result is consistent. Checking ~10 million deferred keys at COMMIT would otherwise take longer
    than writing the rows. Other roles keep the checks."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _post_hooks():
    """Apps that keep derived data (billing runs, onboarding, indicator aggregates) produce it through their
    own services after the raw rows are in; see each app's ``dataset.py: after_generate(generator)``."""
    from hromada.core.discovery import app_modules

    return [module.after_generate for _config, module in app_modules("dataset", exclude=("demo",))]
