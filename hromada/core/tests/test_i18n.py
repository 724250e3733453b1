"""The English catalogue: complete, placeholder-safe, compiled; and the UI really switches to English.

The catalogue is parsed by a tiny reader here (no polib at test time).
"""
import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

# %(name)s / %s / %d / %% (python-format) and {name} (python-brace-format).
PERCENT = re.compile(r"%\(\w+\)[sdif]|%[sdif%]")
BRACE = re.compile(r"\{\w*\}")


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list of forms), flags, obsolete."""
    entries, cur, field = [], None, None

    def flush():
        if cur is not None and "msgid" in cur:
            entries.append(cur)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            flush()
            cur, field = {"flags": set(), "msgstr": [], "obsolete": True, "msgid": "#~"}, None
            continue
        if line.startswith("#"):
            if cur is not None and "msgid" in cur and field is not None:
                flush()
                cur, field = None, None
            if cur is None:
                cur = {"flags": set(), "msgstr": [], "obsolete": False}
            if line.startswith("#,"):
                cur["flags"] |= {f.strip() for f in line[2:].split(",")}
            continue
        m = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if m:
            key, value = m.group(1), ast.literal_eval(m.group(3))
            if key in ("msgid", "msgctxt") and cur is not None and "msgid" in cur and field not in (None, "msgctxt"):
                flush()
                cur = None
            if cur is None:
                cur = {"flags": set(), "msgstr": [], "obsolete": False}
            if key.startswith("msgstr"):
                cur["msgstr"].append(value)
                field = ("msgstr", len(cur["msgstr"]) - 1)
            else:
                cur[key] = value
                field = key
            continue
        assert line.startswith('"'), f"unexpected line in {path.name}: {raw!r}"
        value = ast.literal_eval(line)
        if isinstance(field, tuple):
            cur["msgstr"][field[1]] += value
        else:
            cur[field] += value
    flush()
    return [e for e in entries if not e["obsolete"]]


@pytest.fixture(scope="module")
def catalogue():
    entries = parse_po(PO)
    header = next(e for e in entries if e["msgid"] == "")
    return header, [e for e in entries if e["msgid"] != ""]


def placeholders(text: str, flags: set) -> list[str]:
    found = []
    if "python-format" in flags:
        found += PERCENT.findall(text)
    if "python-brace-format" in flags:
        found += BRACE.findall(text)
    return sorted(found)


def test_catalogue_header_is_english_with_two_plural_forms(catalogue):
    header, entries = catalogue
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"][0]
    assert "nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert len(entries) > 1000  # the whole UI, not a sample


def test_every_entry_translated_not_fuzzy(catalogue):
    _, entries = catalogue
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not fuzzy, f"fuzzy entries: {fuzzy[:10]}"
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or any(not s.strip() for s in e["msgstr"])]
    assert not untranslated, f"untranslated entries: {untranslated[:10]}"
    plural = [e for e in entries if "msgid_plural" in e]
    assert plural and all(len(e["msgstr"]) == 2 for e in plural), "English plural entries need exactly 2 forms"


def test_translations_are_english(catalogue):
    """A msgstr that still contains Cyrillic words is a copy of the msgid, not a translation.

    Allowed Cyrillic: sample document numbers (ЖТ123456, АБ123456, I-ЖТ), the codifier's own column names
    and the native name of the language in the switcher.
    """
    _, entries = catalogue
    allowed = re.compile(r"ЖТ|АБ|«?Перший рівень»?|Категорія об’єкта|Назва об’єкта|Українська")
    leftovers = [e["msgid"] for e in entries
                 if any(re.search(r"[а-яіїєґ]{2,}", allowed.sub("", s), re.I) for s in e["msgstr"])]
    assert not leftovers, f"msgstr still in Ukrainian: {leftovers[:10]}"


def test_placeholders_kept(catalogue):
    _, entries = catalogue
    broken = []
    for e in entries:
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for i, translated in enumerate(e["msgstr"]):
            # Both English forms must carry the placeholders of their Ukrainian counterpart.
            source = sources[min(i, 1)]
            if placeholders(source, e["flags"]) != placeholders(translated, e["flags"]):
                broken.append((e["msgid"], translated))
        # A msgid without the flag must not gain a placeholder in translation (it would never be filled).
        unformatted = not e["flags"] & {"python-format", "python-brace-format"}
        if unformatted and any(PERCENT.search(s) and not PERCENT.search(e["msgid"]) for s in e["msgstr"]):
            broken.append((e["msgid"], e["msgstr"]))
    assert not broken, f"placeholders differ: {broken[:5]}"


def test_compiled_catalogue_matches_po(catalogue):
    """The committed .mo is what Django reads at run time: it must be compiled from the current .po."""
    _, entries = catalogue
    assert MO.exists(), "run `make messages` (compilemessages -l en) and commit the .mo"
    with MO.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in entries:
        key = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            got = [mo._catalog.get((key, i)) for i in range(2)]
            if got != e["msgstr"]:
                stale.append(e["msgid"])
        elif mo._catalog.get(key) != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert not stale, f".mo is stale (recompile): {stale[:5]}"


def test_parser_sees_fuzzy_and_untranslated(tmp_path):
    """The checks above can fail: the reader reports fuzzy, empty and multi-line entries correctly."""
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Заява %(n)s"\nmsgstr "Application %(n)s"\n\n'
        'msgid "Порожній"\nmsgstr ""\n\n'
        'msgid ""\n"Довгий "\n"рядок"\nmsgstr ""\n"Long "\n"line"\n\n'
        'msgid "%(n)s день"\nmsgid_plural "%(n)s днів"\nmsgstr[0] "%(n)s day"\nmsgstr[1] ""\n\n'
        '#~ msgid "Старий"\n#~ msgstr "Old"\n',
        encoding="utf-8")
    entries = parse_po(po)
    by_id = {e["msgid"]: e for e in entries}
    assert set(by_id) == {"", "Заява %(n)s", "Порожній", "Довгий рядок", "%(n)s день"}
    assert by_id["Заява %(n)s"]["flags"] == {"fuzzy", "python-format"}
    assert by_id["Порожній"]["msgstr"] == [""]
    assert by_id["Довгий рядок"]["msgstr"] == ["Long line"]
    assert by_id["%(n)s день"]["msgstr"] == ["%(n)s day", ""]
    assert placeholders("Заява %(n)s, %(m)d", {"python-format"}) == ["%(m)d", "%(n)s"]


# --- the UI in English ----------------------------------------------------------------------------------

PAGES = [
    # (demo user, path, English text that must be there, Ukrainian text that must be gone)
    ("front", "/", "Welcome, ", "Вітаємо"),
    ("front", "/front/", "Hromada applications", "Заяви громади"),
    ("front", "/persons/", "Find person", "Знайти особу"),
    ("back", "/back/", "Back-office application queue", "Черга заяв бек-офісу"),
    ("ministry", "/monitoring/", "Key indicators", "Ключові показники"),
]


def _english(client, who):
    client.force_login(who)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("who,path,english,ukrainian", PAGES)
def test_pages_in_english(request, client, who, path, english, ukrainian):
    _english(client, request.getfixturevalue(who))
    html = client.get(path).content.decode()
    assert '<html lang="en">' in html
    assert english in html
    assert ukrainian not in html
    assert "Sign out" in html and "Вийти" not in html  # the shared header too


def test_home_cards_in_english(client, front):
    html = _english(client, front).get("/").content.decode()
    assert "Your sections" in html
    assert "New application" in html  # a navigation label from applications/nav.py (gettext_lazy)


def test_ukrainian_is_the_default_and_switch_back_works(client, front):
    client.force_login(front)
    html = client.get("/front/").content.decode()
    assert '<html lang="uk">' in html and "Заяви громади" in html and "Hromada applications" not in html
    _english(client, front)
    assert "Hromada applications" in client.get("/front/").content.decode()
    client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    html = client.get("/front/").content.decode()
    assert '<html lang="uk">' in html and "Заяви громади" in html


def test_service_errors_in_english(client, front):
    """Messages raised from services (gettext at call time) follow the user's language, also in the API."""
    _english(client, front)
    body = client.get("/api/v1/applications", {"status": "bogus"}).json()
    assert body["code"] == "invalid_status"
    assert body["message"] == "Unknown application status: bogus."


def test_api_error_in_ukrainian_by_default(client, front):
    client.force_login(front)
    body = client.get("/api/v1/applications", {"status": "bogus"}).json()
    assert body["message"] == "Невідомий статус заяви: bogus."


def test_periods_are_named_in_the_interface_language(client, ministry):
    from django.utils import translation

    from hromada.billing.templatetags.billing_tags import period_label
    from hromada.monitoring.periods import parse_period

    with translation.override("uk"):
        assert period_label("2026-11") == "листопад 2026"
        assert [parse_period(p).label for p in ("2026-11", "2026-Q4", "2026")] == [
            "листопад 2026", "4 квартал 2026", "2026 рік"]
    with translation.override("en"):
        assert period_label("2026-11") == "November 2026"
        assert [parse_period(p).label for p in ("2026-11", "2026-Q4", "2026")] == ["November 2026", "Q4 2026", "2026"]
    html = _english(client, ministry).get("/billing/2026-10/").content.decode()
    assert "October 2026" in html and "жовтень" not in html


# --- the catalogue covers the source ----------------------------------------------------------------------

SOURCE = Path(settings.BASE_DIR) / "hromada"
# gettext functions: name -> (position of the context or None, position of the msgid)
_PY_KEYWORDS = {
    "_": (None, 0), "gettext": (None, 0), "gettext_lazy": (None, 0), "gettext_noop": (None, 0),
    "ngettext": (None, 0), "ngettext_lazy": (None, 0),
    "pgettext": (0, 1), "pgettext_lazy": (0, 1), "npgettext": (0, 1), "npgettext_lazy": (0, 1),
}
_TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:\s*u?'(?:[^'\\]|\\.)*'\s*,?)+)")
_TEMPLATE_STRING = re.compile(r"u?'(?:[^'\\]|\\.)*'")


def python_msgids(path: Path) -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every gettext call with literal text in a Python file (as xgettext reads them)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in _PY_KEYWORDS:
            continue
        ctx_at, id_at = _PY_KEYWORDS[name]
        args = node.args
        if len(args) <= id_at or not (isinstance(args[id_at], ast.Constant) and isinstance(args[id_at].value, str)):
            continue
        ctx = args[ctx_at].value if ctx_at is not None and isinstance(args[ctx_at], ast.Constant) else None
        if args[id_at].value:
            found.add((ctx, args[id_at].value))
    return found


def template_msgids(path: Path) -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of {% translate %} / {% blocktranslate %} in a template, via Django's own templatize."""
    from django.utils.translation.template import templatize

    found = set()
    for call in _TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), origin=str(path))):
        strings = [ast.literal_eval(s.lstrip("u")) for s in _TEMPLATE_STRING.findall(call.group(2))]
        if call.group(1).startswith(("pgettext", "npgettext")):
            found.add((strings[0], strings[1]))
        elif strings and strings[0]:
            found.add((None, strings[0]))
    return found


def source_msgids() -> dict[tuple[str | None, str], str]:
    found: dict[tuple[str | None, str], str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" not in path.parts and "migrations" not in path.parts:
            found.update(dict.fromkeys(python_msgids(path), str(path.relative_to(SOURCE))))
    for path in sorted(SOURCE.rglob("templates/**/*.html")):
        found.update(dict.fromkeys(template_msgids(path), str(path.relative_to(SOURCE))))
    return found


def test_every_marked_string_has_an_english_entry(catalogue):
    """A string marked for translation in the code or a template but missing from the .po stays Ukrainian in the
    English interface (makemessages was not run, or the entry was dropped): the catalogue must cover the source."""
    _, entries = catalogue
    known = {(e.get("msgctxt"), e["msgid"]) for e in entries}
    marked = source_msgids()
    assert len(marked) > 1000
    missing = sorted(f"{where}: {msgid!r}" for (ctx, msgid), where in marked.items() if (ctx, msgid) not in known)
    assert not missing, f"{len(missing)} marked strings have no English entry (run `make messages`): {missing[:10]}"


def test_source_reader_finds_marked_strings(tmp_path):
    """The reader above sees what makemessages sees, so the coverage check can fail."""
    py = tmp_path / "x.py"
    py.write_text('from django.utils.translation import gettext as _, pgettext_lazy\n'
                  'A = _("Перший " "рядок")\nB = pgettext_lazy("місяць", "Травень")\nC = "не позначено"\n'
                  'D = gettext_lazy(f"{x}")\n', encoding="utf-8")
    assert python_msgids(py) == {(None, "Перший рядок"), ("місяць", "Травень")}
    html = tmp_path / "x.html"
    html.write_text('{% load i18n %}<p>{% translate "Вітаємо" %}</p>'
                    '{% blocktranslate with n=count %}Заява {{ n }}{% endblocktranslate %}'
                    '{% translate "Травень" context "місяць" %}<p>Не позначено</p>', encoding="utf-8")
    assert template_msgids(html) == {(None, "Вітаємо"), (None, "Заява %(n)s"), ("місяць", "Травень")}


# Errors raised from services reach the user (page message or API "message"): their text must go through gettext.
_ERRORS = {"ValidationFailed", "NotFound", "Conflict", "Forbidden", "Unauthorized", "RateLimited", "HromadaError",
           "IllegalTransition", "LegalFigureMissing", "fail", "_fail"}
_CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")
# Demo-data commands speak to the operator who runs them, in Ukrainian.
_OPERATOR_ONLY = {"demo"}


def test_error_messages_are_translatable():
    raw = []
    for path in sorted(SOURCE.rglob("*.py")):
        parts = set(path.relative_to(SOURCE).parts)
        if parts & ({"tests", "migrations", "management"} | _OPERATOR_ONLY):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            first = node.args[0]
            if isinstance(first, ast.BinOp):  # "…%(x)s…" % {...}
                first = first.left
            text = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""
            if isinstance(first, ast.JoinedStr):
                text = "".join(v.value for v in first.values if isinstance(v, ast.Constant))
            if name in _ERRORS and _CYRILLIC.search(text):
                raw.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert not raw, f"error messages not wrapped in gettext: {raw[:10]}"


# --- data with an English name -----------------------------------------------------------------------------

def test_catalogue_data_has_english_texts():
    """Every service, document, description, hint and condition of the catalogue has its English text, and so do the
    children's-service and social-services choices: the English interface takes them from the data, not from the
    message catalogue."""
    import json

    services = json.loads((SOURCE / "catalog" / "data" / "services.json").read_text(encoding="utf-8"))["services"]
    gaps = []
    for s in services:
        gaps += [f"{s['code']}.name_en"] * (not s["name_en"].strip() or bool(_CYRILLIC.search(s["name_en"])))
        gaps += [f"{s['code']}.description_en"] * (bool(s.get("description")) != bool(s.get("description_en")))
        for d in s["documents"]:
            gaps += [f"{s['code']}.{d['code']}.title_en"] * (not d["title_en"].strip()
                                                               or bool(_CYRILLIC.search(d["title_en"])))
            gaps += [f"{s['code']}.{d['code']}.{k}_en" for k in ("hint", "condition")
                     if bool(d.get(k)) != bool(d.get(f"{k}_en"))]
    rules = json.loads((SOURCE / "children" / "data" / "rules.json").read_text(encoding="utf-8"))
    for key in ("urgency", "circumstances", "reporter_types", "representative_roles", "outcomes"):
        gaps += [f"children.{key}.{i['code']}" for i in rules[key] if not i.get("name_en", "").strip()]
    social = json.loads((SOURCE / "social" / "data" / "services.json").read_text(encoding="utf-8"))
    lists = {key: social[key] for key in ("recipient_groups", "services", "assessment_sections", "referral_bodies",
                                          "outcomes", "provider_kinds")}
    lists["free_when"] = social["payment"]["free_when"]
    for key, items in lists.items():
        gaps += [f"social.{key}.{i['code']}" for i in items if not i.get("name_en", "").strip()]
    assert not gaps, f"no English text: {gaps[:10]}"


def test_service_choice_page_in_english(client, front):
    from django.utils.html import escape

    from hromada.catalog.models import ServiceType
    from hromada.catalog.selectors import active_services

    birth = ServiceType.objects.get(code="birth_assistance")
    assert (birth.name_en, birth.description_en) == (
        "Birth assistance", "You can apply within 12 months of the child's birth.")  # loaded from the data
    html = _english(client, front).get("/front/new/").content.decode()
    assert "Birth assistance" in html and birth.name_uk not in html
    assert escape(birth.description_en) in html and birth.description not in html
    for service in active_services():
        assert escape(service.name_en) in html and service.name_uk not in html, service.code
    client.post("/i18n/setlang/", {"language": "uk", "next": "/"})
    html = client.get("/front/new/").content.decode()
    assert birth.name_uk in html and "Birth assistance" not in html


def test_service_search_finds_the_english_name(client, front):
    html = _english(client, front).get("/front/new/", {"q": "birth"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Birth assistance" in html and "Funeral assistance" not in html


def test_children_choices_in_english(client, child):
    html = _english(client, child).get("/children/").content.decode()
    assert "Immediately (within 24 hours)" in html and "Негайно (протягом доби)" not in html


def test_social_intake_form_in_english(client, social):
    from hromada.accounts import access
    from hromada.persons.models import Person

    person = access.visible(social, Person).order_by("pk").first()
    html = _english(client, social).get("/social/new/", {"person": person.pk}).content.decode()
    assert "Home care" in html and "Догляд вдома" not in html
    assert "Application for social services" in html and "Заява про надання соціальних послуг" not in html


def test_calculator_form_labels_follow_the_language():
    """The calculator's input labels are form labels (translated); the decision's lines stay Ukrainian data."""
    from django.utils import translation

    from hromada.backoffice import calculators

    birth = calculators.get("birth_assistance")
    with translation.override("en"):
        assert [str(f.label) for f in birth.fields] == [
            "Child's date of birth", "Number of children born at the same time"]
    with translation.override("uk"):
        assert str(birth.fields[0].label) == "Дата народження дитини"
