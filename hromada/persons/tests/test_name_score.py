"""``name_score`` ranks the name search's candidates; a word the typed token begins ends the comparing for that
token (#24) — the scores are those of comparing every word."""
import itertools
import random

from hromada.core.text import normalize_name
from hromada.demo.dataset import FIRST_F, FIRST_M, LAST_M, patronymic
from hromada.persons.duplicates import SIMILAR, name_score, token_similarity


def _every_word(query_key: str, candidate_key: str) -> float:
    """The rule as written before the shortcut: each token's best word over all words."""
    words = candidate_key.split()
    scores = []
    for token in query_key.split():
        best = max((token_similarity(token, w) for w in words), default=0.0)
        if best < SIMILAR:
            return 0.0
        scores.append(best)
    return sum(scores) / len(scores) if scores else 0.0


def test_the_shortcut_gives_the_scores_of_comparing_every_word():
    rng = random.Random(24)
    names = [normalize_name(f"{rng.choice(LAST_M)} {rng.choice(FIRST_M + FIRST_F)} "
                            f"{patronymic(rng.choice(FIRST_M), rng.choice('MF'))}") for _ in range(150)]
    queries = ["ш", "ше", "шев", "шевченко", "шевчнко", "ковал олена", "олена", "ол ше", "бондаренко іван",
               "мельник", "мелник", "іваненко петрівна", "лукяненко", "лук'яненко", "ярошенко ярослав", "а", ""]
    queries += [" ".join(n.split()[:k])[:m] for n in names[:20] for k, m in itertools.product((1, 2), (3, 6, 40))]
    scored = 0
    for query, name in itertools.product(queries, names):
        query = normalize_name(query)
        assert name_score(query, name) == _every_word(query, name), (query, name)
        scored += name_score(query, name) > 0
    assert scored > 300   # the comparison covers matches, not only refusals
