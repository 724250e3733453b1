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
