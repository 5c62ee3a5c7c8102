"""Folding and query parsing: the rule every backend shares."""

import unicodedata

from evaluations.text import fold_words
from search.query import fts5_match, pg_tsquery
from search.text import pair_token, parse_query


def test_fold_removes_diacritics_including_d_bar_and_keeps_words_apart():
    assert fold_words("Đình làng Phước Hải, HỌC TẬP!") == "dinh lang phuoc hai hoc tap"
    assert fold_words("Đường") == "duong"


def test_fold_is_the_same_for_nfc_and_nfd():
    text = "Cộng đồng học tập thôn Hữu Đức"
    assert fold_words(unicodedata.normalize("NFD", text)) == fold_words(text)


def test_parse_query_separates_phrases_from_words():
    parsed = parse_query('"Học tập" suốt đời "x"')
    assert parsed.phrases == (("hoc", "tap"),)
    assert parsed.terms == ("suot", "doi", "x")


def test_query_text_cannot_inject_fts_or_tsquery_syntax():
    # Operators and punctuation are not letters: they fold away, and what is left is quoted words.
    parsed = parse_query('hoc" * & !(tap) <-> NEAR:')
    assert fts5_match(parsed) == '"hoc tap near" OR ("hoc" AND "tap" AND "near")'
    assert pg_tsquery(parsed) == "(hoc <-> tap <-> near) | (hoc & tap & near)"


def test_quoted_phrase_is_required_as_a_phrase():
    parsed = parse_query('"học tập" Đường')
    assert fts5_match(parsed) == '"duong" AND "hoc tap"'
    # The phrase's word pair too: the GIN index finds it without reading the texts.
    assert pg_tsquery(parsed) == f"duong & {pair_token('hoc', 'tap')} & (hoc <-> tap)"
