"""Ukrainian plural forms, sizes and alphabetical order as the interface shows them."""
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import ngettext

from hromada.catalog.models import ServiceType, TermKind
from hromada.core.text import format_file_size, uk_sort_key


def test_counted_phrases_take_the_three_ukrainian_plural_forms():
    with translation.override("uk"):
        found = [ngettext("Знайдено %(n)s заяву", "Знайдено %(n)s заяв", n) % {"n": n} for n in (1, 3, 5, 11, 21, 22)]
        assert found == ["Знайдено 1 заяву", "Знайдено 3 заяви", "Знайдено 5 заяв", "Знайдено 11 заяв",
                         "Знайдено 21 заяву", "Знайдено 22 заяви"]
        page = Template("{% load i18n %}{% blocktrans count n=k %}{{ n }} сторінка{% plural %}{{ n }} сторінок"
                        "{% endblocktrans %}")
        assert [page.render(Context({"k": k})) for k in (1, 2, 5)] == ["1 сторінка", "2 сторінки", "5 сторінок"]
        terms = [ServiceType(term_days=n, term_kind=TermKind.WORKING).term_text for n in (1, 3, 10)]
        assert terms == ["1 робочий день", "3 робочі дні", "10 робочих днів"]
        assert ServiceType(term_days=10, term_kind=TermKind.CALENDAR).term_text == "10 календарних днів"
    with translation.override("en"):
        assert ServiceType(term_days=1, term_kind=TermKind.WORKING).term_text == "1 working day"
        assert ngettext("Знайдено %(n)s заяву", "Знайдено %(n)s заяв", 3) % {"n": 3} == "3 applications found"


def test_sizes_are_written_as_the_interface_writes_them():
    with translation.override("uk"):
        assert format_file_size(20 * 1024 * 1024) == "20\u00a0МБ"
        assert format_file_size(1536 * 1024) == "1,5\u00a0МБ"
        assert format_file_size(350 * 1024) == "350\u00a0КБ"
        assert format_file_size(900) == "900\u00a0Б"
        assert Template("{% load hromada_format %}{{ t|file_kind }}").render(Context({"t": "application/pdf"})) == "PDF"
        assert Template("{% load hromada_format %}{{ s|file_size }}").render(Context({"s": 20 * 1024 * 1024})) \
            == "20\u00a0МБ"


def test_ukrainian_alphabetical_order():
    names = ["Яблунівка", "Ізяслав", "Ґалаґани", "Їжаківка", "Євпаторія", "Апостолове", "Гнідин", "Іршава",
             "Еськів", "Жмеринка", "Пʼятихатки", "Пирятин", "Дніпро", "Ирій"]
    assert sorted(names, key=uk_sort_key) == [
        "Апостолове", "Гнідин", "Ґалаґани", "Дніпро", "Еськів", "Євпаторія", "Жмеринка", "Ирій", "Ізяслав",
        "Іршава", "Їжаківка", "Пирятин", "Пʼятихатки", "Яблунівка"]
