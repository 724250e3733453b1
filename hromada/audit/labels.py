"""What an audit entry's codes mean to a person: the action's and the field's names in Ukrainian.

The entries keep their codes (they are hashed and never rewritten); pages, exports and the resident's access
report show these labels instead. An action missing here is shown by its code (a test lists the actions used in
the code base and asks for a label for each).
"""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "account.login": _("Вхід до системи"),
    "account.password_change": _("Зміна пароля"),
    "account.token_issue": _("Видано токен API"),
    "account.token_revoke": _("Відкликано токен API"),
    "admin.create": _("Адміністрування: створено запис"),
    "admin.change": _("Адміністрування: змінено запис"),
    "admin.delete": _("Адміністрування: видалено запис"),
    "application.create": _("Заяву створено"),
    "application.draft_save": _("Чернетку заяви збережено"),
    "application.update": _("Заяву змінено"),
    "application.submit": _("Заяву надіслано до бек-офісу"),
    "application.resubmit": _("Заяву надіслано повторно"),
    "application.take": _("Заяву взято в роботу"),
    "application.assign": _("Заяву призначено фахівцю"),
    "application.return": _("Заяву повернуто на доопрацювання"),
    "application.withdraw": _("Заяву відкликано"),
    "application.grant": _("Рішення: призначити"),
    "application.refuse": _("Рішення: відмовити"),
    "application.issue": _("Результат видано"),
    "application.send_result": _("Результат надіслано"),
    "application.social_decision": _("Рішення у справі соціальних послуг передано до заяви"),
    "application.social_provide": _("Рішення про надання соціальних послуг (справа соціальних послуг)"),
    "application.social_refuse": _("Рішення про відмову в соціальних послугах (справа соціальних послуг)"),
    "application.intake": _("Прийом заяви"),
    "application.close": _("Справу закрито"),
    "application.queue": _("Перегляд черги заяв"),
    "application.view": _("Перегляд заяви"),
    "application.list": _("Перегляд списку заяв"),
    "application.history_view": _("Перегляд історії заяви"),
    "application.document_attach": _("Документ додано до заяви"),
    "application.document_add_missing": _("Додано відсутній документ"),
    "application.document_remove": _("Документ вилучено із заяви"),
    "application.document_download": _("Завантаження документа заяви"),
    "application.receipt_download": _("Завантаження розписки"),
    "audit.view": _("Перегляд журналу аудиту"),
    "audit.export": _("Експорт журналу аудиту"),
    "audit.access_report": _("Звіт про доступ до персональних даних"),
    "billing.run": _("Розрахунок періоду оплати"),
    "billing.close": _("Закриття періоду оплати"),
    "billing.view": _("Перегляд оплати"),
    "billing.items_view": _("Перегляд заяв рядка оплати"),
    "billing.items_export": _("Експорт заяв рядка оплати"),
    "billing.exclude": _("Заяву виключено з оплати"),
    "billing.include": _("Заяву повернуто до оплати"),
    "billing.tariff_set": _("Встановлено тариф"),
    "billing.budget_set": _("Встановлено бюджетну програму"),
    "billing.act_download": _("Завантаження акта"),
    "billing.register_export": _("Експорт реєстру оплати"),
    "childcase.view": _("Перегляд справи дитини"),
    "childcase.register": _("Справу дитини зареєстровано"),
    "childcase.start_assessment": _("Розпочато оцінку потреб дитини"),
    "childcase.complete_assessment": _("Завершено оцінку потреб дитини"),
    "childcase.decide": _("Рішення у справі дитини"),
    "childcase.approve_plan": _("Затверджено план заходів"),
    "childcase.add_measure": _("Додано захід"),
    "childcase.measure_done": _("Захід виконано"),
    "childcase.review": _("Перегляд плану заходів"),
    "childcase.referral": _("Направлення до надавача послуг"),
    "childcase.referral_feedback": _("Відповідь на направлення"),
    "childcase.close": _("Справу дитини закрито"),
    "childcase.list": _("Перегляд списку справ дітей"),
    "decision.download": _("Завантаження рішення"),
    "document.view": _("Перегляд документа"),
    "monitoring.view": _("Перегляд моніторингу"),
    "monitoring.export": _("Експорт моніторингу"),
    "monitoring.refresh": _("Перерахунок показників"),
    "monitoring.workplace_plan": _("План робочих місць"),
    "monitoring.workplace_added": _("Додано робоче місце"),
    "monitoring.workplace_status": _("Змінено стан робочого місця"),
    "monitoring.equipment_added": _("Додано обладнання"),
    "monitoring.onboarding_step": _("Крок підключення громади"),
    "notification.consent": _("Згода на сповіщення"),
    "notification.called": _("Зателефоновано заявнику"),
    "offices.route": _("Маршрутизація до бек-офісу"),
    "person.register": _("Особу зареєстровано"),
    "person.change": _("Дані особи змінено"),
    "person.view": _("Перегляд картки особи"),
    "person.search": _("Пошук осіб"),
    "person.duplicate_check": _("Перевірка на дублікат особи"),
    "person.household_view": _("Перегляд домогосподарства"),
    "person.household_add": _("Додано члена домогосподарства"),
    "person.household_remove": _("Вилучено члена домогосподарства"),
    "person.link": _("Особу взято в роботу громади"),
    "person.take_into_work": _("Особу знайдено в національному реєстрі"),
    "person.lookup_miss": _("Пошук у національному реєстрі без результату"),
    "person.household_register": _("Зареєстровано домогосподарство"),
    "legal_figure.set": _("Встановлено правовий показник"),
    "legal_figure.close": _("Закрито період дії правового показника"),
    "registers.check_requested": _("Запит перевірки в державних реєстрах"),
    "registers.check": _("Перевірка в державному реєстрі"),
    "registers.override": _("Розбіжність з реєстром прийнято з поясненням"),
    "registers.income_corrected": _("Виправлено дохід із реєстру"),
    "registers.offer_created": _("Створено проактивну пропозицію"),
    "registers.offer_converted": _("Проактивну пропозицію перетворено на заяву"),
    "registers.checks": _("Перегляд результатів перевірок у реєстрах"),
    "registers.offers": _("Перегляд проактивних пропозицій"),
    "registers.log_export": _("Вивантаження журналу обміну з реєстрами"),
    "socialcase.register": _("Прийнято заяву на соціальні послуги"),
    "socialcase.assign": _("Призначено фахівця для оцінювання потреб"),
    "socialcase.assessment": _("Оцінено потреби особи"),
    "socialcase.decide": _("Рішення щодо соціальних послуг"),
    "socialcase.plan": _("Затверджено індивідуальний план"),
    "socialcase.delivery": _("Зафіксовано надання соціальної послуги"),
    "socialcase.suspend": _("Надання соціальних послуг призупинено"),
    "socialcase.resume": _("Надання соціальних послуг відновлено"),
    "socialcase.referral": _("Направлено до іншого органу"),
    "socialcase.close": _("Випадок соціальних послуг закрито"),
    "socialcase.list": _("Перегляд списку випадків соціальних послуг"),
    "socialcase.view": _("Перегляд випадку соціальних послуг"),
    "socialcase.receipt": _("Перегляд повідомлення про прийняття заяви на соціальні послуги"),
    "socialcase.receipt_pdf": _("Друк повідомлення про прийняття заяви на соціальні послуги"),
    "socialprovider.register": _("Зареєстровано надавача соціальних послуг"),
    "socialprovider.capacity": _("Змінено кількість місць у надавача"),
    "socialprovider.link_worker": _("Працівника пов’язано з надавачем"),
    "socialprovider.unlink_worker": _("Працівника від’єднано від надавача"),
    "socialprovider.deactivate": _("Надавача соціальних послуг виключено з дії"),
    "socialprovider.reactivate": _("Надавача соціальних послуг відновлено в дії"),
    "socialcase.notice_pdf": _("Друк повідомлення про рішення щодо соціальних послуг"),
    "socialprovider.view": _("Перегляд надавачів соціальних послуг"),
    "admin.password_change": _("Адміністрування: змінено пароль користувача"),
    "security.alert": _("Сповіщення безпеки"),
    "storage.orphans_deleted": _("Видалено непов’язані файли"),
}

# Object types as people name them.
OBJECTS = {
    "persons.person": _("особа"),
    "applications.application": _("заява"),
    "children.childcase": _("справа дитини"),
    "accounts.user": _("користувач"),
    "offices.office": _("офіс"),
    "billing.billingperiod": _("період оплати"),
    "audit.auditentry": _("журнал аудиту"),
    "monitoring.table": _("таблиця моніторингу"),
}

# Fields of personal data: their values are shown only to roles that may see personal data (see may_see_values).
PERSONAL_FIELDS = frozenset({
    "last_name", "first_name", "patronymic", "birth_date", "sex", "rnokpp", "no_rnokpp_reason", "id_document_type",
    "id_document_number", "street", "house", "flat", "phone", "email", "is_idp", "settlement",
})

FIELDS = {
    "last_name": _("прізвище"), "first_name": _("ім’я"), "patronymic": _("по батькові"),
    "birth_date": _("дата народження"), "sex": _("стать"), "rnokpp": _("РНОКПП"),
    "no_rnokpp_reason": _("причина відсутності РНОКПП"), "id_document_type": _("тип документа"),
    "id_document_number": _("номер документа"), "street": _("вулиця"), "house": _("будинок"), "flat": _("квартира"),
    "phone": _("телефон"), "email": _("ел. пошта"), "is_idp": _("ВПО"), "settlement": _("населений пункт"),
    "role": _("роль"), "office": _("офіс"), "is_active": _("активний"), "name": _("назва"),
}

MASK = "•••"


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def object_label(code: str) -> str:
    return str(OBJECTS.get(code, code))


def field_label(code: str) -> str:
    return str(FIELDS.get(code, code))


def changes_of(details: dict) -> dict:
    """``{field: [old, new]}`` of an entry, whatever the action wrote: ``changes`` (services, the admin) or the
    older ``fields`` list (names only, no values: ``None``)."""
    changes = details.get("changes")
    if isinstance(changes, dict):
        return changes
    fields = details.get("fields")
    if isinstance(fields, list):
        return {name: None for name in fields}
    return {}


def masked_changes(changes: dict, *, show_personal: bool) -> dict:
    """Personal-data values replaced by a mask for roles that may not see them (the field's name stays)."""
    if show_personal:
        return changes
    return {name: ([MASK, MASK] if values is not None and name in PERSONAL_FIELDS else values)
            for name, values in changes.items()}
