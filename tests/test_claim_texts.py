"""The claims' texts as the ledger shows them (issue 38): every sentence of a claim's statement, statistic, rule, why,
what would decide it and caveat is held to the book's prose limit, as the chapters' own prose is."""

import pytest

from orthontk_lib.book import ledger, prose

FIELDS = ("statement", "statistic", "tolerance", "why", "decide", "caveat")


def _long_sentences(claim):
    return [(field, prose.words(s), s) for field in FIELDS
            for s in prose.sentences(str(getattr(claim, field, "") or "")) if prose.words(s) > prose.PROSE_LIMIT]


@pytest.mark.parametrize("claim", [c for _, c in ledger.claims()], ids=lambda c: c.id)
def test_every_sentence_of_a_claims_texts_is_within_the_prose_limit(claim):
    assert _long_sentences(claim) == [], f"{claim.id}: sentences over {prose.PROSE_LIMIT} words"
