"""The Dutch tokenizer fixes and the rule sentence boundaries, on a blank pipeline (no trained model needed)."""

from __future__ import annotations

import json

import pytest
import spacy
from conftest import ALPINO_JSONL, SEED, SHARED
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from kroniek.nlp import sentences, tokenizer  # noqa: F401  (register the tokenizer and the component)


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.blank("nl", config={"nlp": {"tokenizer": {"@tokenizers": "kroniek.nl_tokenizer.v1"}}})
    pipeline.add_pipe("kroniek_sentences")
    return pipeline


_BLANK = spacy.blank("nl", config={"nlp": {"tokenizer": {"@tokenizers": "kroniek.nl_tokenizer.v1"}}})


def words(nlp: Language, text: str) -> list[str]:
    return [t.text for t in nlp.make_doc(text)]


@pytest.mark.parametrize(("text", "token"), [
    ("Op 3 jan. begint het.", "jan."),
    ("Het kost 5 mld. euro.", "mld."),
    ("Het kost 3 mln. euro.", "mln."),
    ("Volgens dhr. Jansen niet.", "dhr."),
    ("Volgens mevr. De Vries wel.", "mevr."),
    ("Dat is o.a. duur.", "o.a."),
    ("Sinds 12 sept. al.", "sept."),
    ("Het gaat i.p.v. hem.", "i.p.v."),
])
def test_nlp_tokenizer_keeps_abbreviations(nlp: Language, text: str, token: str) -> None:
    assert token in words(nlp, text)


@pytest.mark.parametrize("text", ["Hij deed zijn best.", "Ze stonden aan de top.", "Dat gaat te ver."])
def test_nlp_tokenizer_splits_everyday_words_from_their_full_stop(nlp: Language, text: str) -> None:
    assert words(nlp, text)[-1] == "."


def test_nlp_tokenizer_old_style_quotes(nlp: Language) -> None:
    assert words(nlp, ",,Dit is mooi'', zei hij.") == [",,", "Dit", "is", "mooi", "''", ",", "zei", "hij", "."]


@pytest.mark.parametrize(("text", "expected"), [
    ("MH17 – wat betekent dat?", ["MH17", "–", "wat", "betekent", "dat", "?"]),
    ("Van 1998–2000 werkte hij.", ["Van", "1998", "–", "2000", "werkte", "hij", "."]),
    ("Hij—en niemand anders—won.", ["Hij", "—", "en", "niemand", "anders", "—", "won", "."]),
])
def test_nlp_tokenizer_splits_dashes(nlp: Language, text: str, expected: list[str]) -> None:
    assert words(nlp, text) == expected


@pytest.mark.parametrize(("text", "initials"), [
    ("J.P. Balkenende was premier.", "J.P."),
    ("A.J.M. de Vries kwam.", "A.J.M."),
    ("Ook W. Kok kwam.", "W."),
])
def test_nlp_tokenizer_keeps_initials(nlp: Language, text: str, initials: str) -> None:
    assert initials in words(nlp, text)


@pytest.mark.parametrize("text", [
    ",,Dit is mooi'', zei dhr. J.P. Balkenende op 3 jan. over 5 mld. – of meer.\n\nNieuwe alinea…",
    "“We zijn er”, zegt Blok.  ‘Nog niet’\n",
])
def test_nlp_tokenizer_offsets_index_the_original_text(nlp: Language, text: str) -> None:
    doc = nlp.make_doc(text)
    assert doc.text == text
    for tok in doc:
        assert text[tok.idx:tok.idx + len(tok.text)] == tok.text


def test_nlp_sentences_seed_article(nlp: Language) -> None:
    text = SEED.read_text(encoding="utf-8")
    sents = [s.text.strip() for s in nlp(text).sents]
    assert "“We mogen hoopvol zijn”, zegt Blok." in sents
    assert "‘Nog niet vooruitlopen op onderhandelingen’" in sents
    assert "Lees ook: Rusland aansprakelijk stellen voor MH17 – wat betekent dat?" in sents
    assert "Het ministerie wil dat “bevestigen noch ontkennen”, aldus de woordvoerder." in sents
    assert "“Het is een proces van stap voor stap." in sents


def test_nlp_sentences_match_the_dev_treebank(nlp: Language) -> None:
    """The alpino-dev articles are rebuilt from UD sentences: nearly every one must come out as one sentence."""
    conllu = SHARED / "data" / "ud-dutch-alpino" / "nl_alpino-ud-dev.conllu"
    gold = [line[len("# text = "):].strip() for line in conllu.read_text(encoding="utf-8").splitlines()
            if line.startswith("# text = ")]
    found: set[str] = set()
    for line in ALPINO_JSONL.read_text(encoding="utf-8").splitlines():
        if line.strip():
            found |= {s.text.strip() for s in nlp(json.loads(line)["text"]).sents}
    hits = sum(1 for g in gold if g in found)
    assert len(gold) > 500
    assert hits / len(gold) >= 0.98


@pytest.mark.parametrize(("text", "n"), [
    ("Hij kwam. Zij ging.", 2),
    ("“Het is klaar.” Daarna ging hij weg.", 2),
    ("“Het is klaar.”, zei hij.", 1),
    ("Op 3 jan. kwam dhr. Jansen. Hij bleef.", 2),
    ("Een kop zonder punt\n\nDe tekst begint hier.", 2),
    ("Hij zei: ,,Ik kom.'' ,,Morgen al.''", 2),
    ("Hoeveel? 298.", 2),
])
def test_nlp_sentences_rules(nlp: Language, text: str, n: int) -> None:
    assert len(list(nlp(text).sents)) == n


def _starts_token_by_token(doc: spacy.tokens.Doc) -> list[bool]:
    """The sentence-start rules read token by token, as `sentences.sentence_starts` did before it read arrays."""
    texts = [t.text for t in doc]
    glued = [t.whitespace_ == "" for t in doc]
    space = [t.is_space for t in doc]
    n = len(texts)
    starts = [False] * n
    if n:
        starts[0] = True
    i = 0
    while i < n:
        text = texts[i]
        if space[i] and "\n" in text:
            j = i + 1
            while j < n and space[j]:
                j += 1
            if j < n:
                starts[j] = True
            i = j
            continue
        if sentences._is_terminal(text):
            j = i + 1
            while j < n and (space[j] and "\n" not in texts[j] or sentences._is_closing(texts[j], glued[j - 1])
                             or sentences._is_terminal(texts[j])):
                j += 1
            if j < n and not space[j] and sentences._opens(texts[j]):
                starts[j] = True
            i = j
            continue
        i += 1
    return starts


def test_nlp_sentence_starts_from_arrays_are_those_token_by_token() -> None:
    texts = [json.loads(line)["text"] for line in ALPINO_JSONL.read_text(encoding="utf-8").splitlines() if line]
    texts += [SEED.read_text(encoding="utf-8"), "", " ", "\n\nKop\n", "Hij kwam... ?! ”Ja.” 'Nee.' \n \n Zo.",
              "Einde.", "Einde. ", "Klaar.\n", "“Het is klaar.”, zei hij. (Echt.) [2] ,,Ik kom.'' ’’Zo.’’"]
    for text in texts:
        doc = _BLANK.make_doc(text)
        assert sentences.sentence_starts(doc) == _starts_token_by_token(doc), text


@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from([*"aB1 .!?…\n\"'”’»)]“‘„«([,", ",,", "''", " \n ", "Dhr.", "Zo"]),
                     max_size=40).map("".join))
def test_nlp_sentence_starts_from_arrays_on_any_text(text: str) -> None:
    doc = _BLANK.make_doc(text)
    assert sentences.sentence_starts(doc) == _starts_token_by_token(doc)


def test_nlp_tokenizer_keeps_the_text_for_doc_text(nlp: Language) -> None:
    from kroniek.nlp.extensions import TEXT_KEY, doc_text

    text = "Minister Blok  zei:\n\n,,We gaan nu onderhandelen.'' \t"
    doc = nlp.make_doc(text)
    assert doc.user_data[TEXT_KEY] is text
    assert doc_text(doc) == text == doc.text
    assert [d.user_data[TEXT_KEY] for d in nlp.pipe(["Een.", "Twee zinnen. Drie."])] == ["Een.", "Twee zinnen. Drie."]


def test_nlp_doc_text_rebuilds_and_keeps_what_it_was_not_given(nlp: Language) -> None:
    from spacy.tokens import Doc

    from kroniek.nlp.extensions import TEXT_KEY, doc_text

    doc = Doc(nlp.vocab, words=["Het", "ministerie", "zwijgt", "."], spaces=[True, True, False, False])
    assert doc_text(doc) == "Het ministerie zwijgt." == doc.user_data[TEXT_KEY]
    stale = nlp.make_doc("Een andere, langere tekst dan die van deze Doc.")
    stale.user_data[TEXT_KEY] = "te kort"  # copied from elsewhere: not this Doc's text
    assert doc_text(stale) == stale.text
    same_length = nlp.make_doc("Drie woorden hier.")
    same_length.user_data[TEXT_KEY] = "Vier woorden daar."  # as long, but another text
    assert doc_text(same_length) == "Drie woorden hier."
    assert doc_text(Doc(nlp.vocab, words=[])) == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab .,\n\t\u00a0é“”-") + ["jan.", "mld.", "''", ",,", "  "]), max_size=40)
       .map("".join))
def test_nlp_doc_text_rebuilt_from_arrays_is_spacys_text(text: str) -> None:
    from kroniek.nlp.extensions import TEXT_KEY, doc_text

    doc = _BLANK.make_doc(text)
    doc.user_data.pop(TEXT_KEY, None)
    assert doc_text(doc) == doc.text == text


@pytest.mark.parametrize(("text", "n"), [
    ("Hij kwam. Zij ging.", 2),
    ("“Het is klaar.” Daarna ging hij weg.", 2),
    ("Op 3 jan. kwam dhr. Jansen. Hij bleef.", 2),
    ("Een kop zonder punt\n\nDe tekst begint hier.", 2),
    ("Hoeveel? 298.", 2),
    ("Het kostte 5 mld. euro, o.a. aan wegen. Prof. De Vries zweeg.", 2),
    ("Hij werkt bij A.J. Walter Aviation. Die zweeg.", 2),
    ("Hij sprak met Jan. Die zweeg.", 2),  # a capital "Jan." is a name, not the month
    ("Martin Luther King jr. sprak. Daarna niemand.", 2),
])
def test_nlp_plain_text_splitter_follows_the_same_rules(nlp: Language, text: str, n: int) -> None:
    plain = sentences.split_sentences(text)
    assert len(plain) == n
    assert [text[s:e] for s, e in plain] == [s.text.strip() for s in nlp(text).sents]


def test_nlp_plain_text_splitter_keeps_quotations_whole() -> None:
    from kroniek.nlp.quote_marks import find_quote_pairs

    text = "“Het is klaar. Echt waar”, zei hij. “Nu gaan we.” Daarna ging hij weg."
    bounds = sentences.split_sentences(text, find_quote_pairs(text))
    assert [text[s:e] for s, e in bounds] == ["“Het is klaar. Echt waar”, zei hij.", "“Nu gaan we.”",
                                              "Daarna ging hij weg."]
    assert len(sentences.split_sentences(text)) == 4  # without the pairs, the full stop inside counts too


def test_nlp_plain_text_splitter_matches_the_dev_treebank() -> None:
    conllu = SHARED / "data" / "ud-dutch-alpino" / "nl_alpino-ud-dev.conllu"
    gold = [line[len("# text = "):].strip() for line in conllu.read_text(encoding="utf-8").splitlines()
            if line.startswith("# text = ")]
    found: set[str] = set()
    for line in ALPINO_JSONL.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text = json.loads(line)["text"]
            found |= {text[s:e] for s, e in sentences.split_sentences(text)}
    assert sum(1 for g in gold if g in found) / len(gold) >= 0.99
