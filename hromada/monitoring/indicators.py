"""The indicator registry: every indicator is defined here once.

An indicator is a function of ``Base`` — the base figures of one set of hromadas (a hromada, raion,
oblast, the country, or the hromadas a back office serves) for one period — which
``monitoring.aggregates`` sums from the monthly aggregates. Definitions of the base figures:

* flows count what happened inside the period (Kyiv time): *accepted* — first sent to the back office;
  *decided* — decision taken (granted: the case has a ``grant`` event; returned: ``return_count > 0``;
  on time: the decision's date is not after ``due_date``); *decision days* — calendar days from the
  first submission to the decision;
* stocks are read at the end of the period's last begun month (for the running month: now):
  undecided cases past their due date; decided cases whose result was not handed out; hromadas with an
  active front office; staffed front-office positions; equipped workplaces.

Percentiles use the nearest-rank method: the p-th percentile of n sorted values is the value at rank
⌈p·n⌉ (so the median of an even count is the lower middle value).

Coverage denominators count the active hromadas of the codifier **outside temporarily occupied Crimea**
(AR Crimea and Sevastopol, 303 hromadas): no front office can be opened there, and counting them would
cap national coverage at 83%.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass
class Base:
    """Base figures of one set of hromadas for one period (see the module docstring)."""
    accepted: int = 0
    decided: int = 0
    granted: int = 0
    returned: int = 0
    on_time: int = 0
    billing_amount: Decimal = Decimal("0.00")
    overdue: int = 0
    unissued: int = 0
    front_offices: int = 0           # hromadas with an active front office
    specialists: int = 0
    workplaces_equipped: int = 0
    hromadas: int = 0                # active hromadas outside Crimea (coverage denominator)
    workplace_plan: int | None = None
    days: dict[int, int] = field(default_factory=dict)   # decision days histogram


def share(part: int, whole: int) -> Decimal | None:
    """part/whole in percent, one decimal, half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percentile(histogram: dict[int, int], p: float) -> int | None:
    """Nearest-rank percentile of the values counted in ``histogram`` ({value: count})."""
    n = sum(histogram.values())
    if not n:
        return None
    rank = max(1, math.ceil(p * n))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - unreachable: the ranks add up to n


@dataclass(frozen=True)
class Indicator:
    code: str
    name_uk: str
    name_en: str
    unit: str            # "count" | "percent" | "days" | "UAH"
    formula: str | Promise  # translated lazily: shown in the interface's language
    direction: str       # "good": more is better; "bad": less is better
    compute: Callable[[Base], int | Decimal | None]
    kind: str = "flow"   # "flow" (summed over the period) or "stock" (at the period's end)

    @property
    def name(self) -> str:
        """The name in the active UI language (both names are data, so no message catalogue is needed)."""
        return self.name_en if (translation.get_language() or "uk").startswith("en") else self.name_uk

    def value(self, base: Base):
        return self.compute(base)


INDICATORS: list[Indicator] = [
    Indicator("accepted", "Прийнято заяв", "Applications accepted", "count",
              _("Заяви, вперше надіслані фронт-офісом до бек-офісу в періоді"), "good", lambda b: b.accepted),
    Indicator("decided", "Прийнято рішень", "Decisions taken", "count",
              _("Заяви, за якими в періоді прийнято рішення"), "good", lambda b: b.decided),
    Indicator("granted_share", "Частка призначень", "Granted share", "percent",
              _("Призначено / усі рішення періоду × 100"), "good", lambda b: share(b.granted, b.decided)),
    Indicator("returned_share", "Частка повернених на доопрацювання", "Returned for correction share", "percent",
              _("Рішення періоду за заявами, що хоч раз поверталися / усі рішення × 100"), "bad",
              lambda b: share(b.returned, b.decided)),
    Indicator("median_days", "Медіана днів до рішення", "Median days to decision", "days",
              _("Медіана календарних днів від першого надсилання до рішення (рішення періоду)"), "bad",
              lambda b: percentile(b.days, 0.5)),
    Indicator("p90_days", "90-й процентиль днів до рішення", "90th percentile days to decision", "days",
              _("90-й процентиль (найближчий ранг) календарних днів від першого надсилання до рішення"), "bad",
              lambda b: percentile(b.days, 0.9)),
    Indicator("on_time_share", "Частка рішень у строк", "Decided on time share", "percent",
              _("Рішення не пізніше строку / усі рішення періоду × 100"), "good", lambda b: share(b.on_time, b.decided)),
    Indicator("overdue", "Прострочено зараз", "Overdue now", "count",
              _("Заяви без рішення зі строком, що минув, на кінець періоду"), "bad", lambda b: b.overdue, "stock"),
    Indicator("unissued", "Результати не видано", "Results not yet handed out", "count",
              _("Заяви з рішенням, результат якого ще не видано заявнику, на кінець періоду"), "bad",
              lambda b: b.unissued, "stock"),
    Indicator("front_office_hromadas", "Громади з фронт-офісом", "Hromadas with an active front office", "count",
              _("Громади з хоча б одним діючим фронт-офісом на кінець періоду"), "good", lambda b: b.front_offices,
              "stock"),
    Indicator("front_office_coverage", "Охоплення громад фронт-офісами", "Front office coverage", "percent",
              _("Громади з фронт-офісом / усі громади поза тимчасово окупованим Кримом × 100"), "good",
              lambda b: share(b.front_offices, b.hromadas), "stock"),
    Indicator("specialists", "Фахівці фронт-офісів", "Front office specialists", "count",
              _("Зайняті посади у фронт-офісах на кінець періоду"), "good", lambda b: b.specialists, "stock"),
    Indicator("workplaces_equipped", "Облаштовані робочі місця", "Equipped workplaces", "count",
              _("Робочі місця фронт-офісів у стані «облаштовано» на кінець періоду"), "good",
              lambda b: b.workplaces_equipped, "stock"),
    Indicator("workplaces_plan_share", "Виконання плану облаштування", "Equipped workplaces vs plan", "percent",
              _("Облаштовані робочі місця / план (області або національний) × 100"), "good",
              lambda b: share(b.workplaces_equipped, b.workplace_plan) if b.workplace_plan else None, "stock"),
    Indicator("billing_amount", "Сума до оплати громадам", "Billing amount", "UAH",
              _("Сума оплати громадам за розрахункові місяці періоду (billing.amounts_by_hromada)"), "good",
              lambda b: b.billing_amount),
]
BY_CODE: dict[str, Indicator] = {i.code: i for i in INDICATORS}


def get(code: str) -> Indicator | None:
    return BY_CODE.get(code)


def values(base: Base) -> dict[str, int | Decimal | None]:
    return {i.code: i.value(base) for i in INDICATORS}
