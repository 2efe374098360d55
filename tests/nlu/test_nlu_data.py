"""The NLU training data is healthy, and the bench's held-out split is honest."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from tools.bench import nlu as bench

spacy = pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def examples():
    found, _ = bench.load_examples()
    return found


def test_every_intent_and_faq_topic_has_25_distinct_examples(examples):
    counts = bench.counts(examples)
    assert {label: n for label, n in counts.items() if n < bench.MIN_EXAMPLES} == {}
    assert len([label for label in counts if label.startswith("faq/")]) >= 15


def test_no_text_is_taught_under_two_labels(examples):
    assert bench.conflicts(examples) == {}


@pytest.mark.parametrize("seed", [bench.SEED, bench.SEED + 1, bench.SEED + 2])
def test_near_duplicates_never_cross_the_held_out_split(examples, seed):
    folds = bench.folds(examples, seed=seed)
    assert sorted(i for fold in folds for i in fold) == list(range(len(examples)))
    for fold in folds:
        assert bench.leaks(examples, fold) == []
    # The same seed gives the same split; another seed (--partitions) another one.
    assert bench.folds(examples, seed=seed) == folds
    assert bench.folds(examples, seed=seed + 1) != folds


def test_partition_summary_reads_fold_one_as_each_seeds_held_out_figure():
    summary = bench.partition_summary({42: [0.94, 0.96, 0.95], 43: [0.92, 0.93, 0.97]})
    assert summary["held_out_by_partition"] == {"42": 0.94, "43": 0.92}
    assert summary["cv_mean_by_partition"] == {"42": 0.95, "43": 0.94}
    assert (summary["folds"], summary["mean"], summary["min"], summary["max"]) == (6, 0.945, 0.92, 0.97)
    assert "| 43 | 0.92 | 0.94 |" in bench.partitions_markdown(summary)


def test_every_label_has_examples_in_every_fold(examples):
    labels = {e.label for e in examples}
    for fold in bench.folds(examples):
        assert {examples[i].label for i in fold} == labels


def test_an_example_keeps_its_fold_when_other_examples_are_added_or_removed(examples):
    before = bench.folds(examples)
    fold_before = {examples[i].key: n for n, fold in enumerate(before) for i in fold}
    kept = [e for e in examples if e.index % 3]  # a third of the data taken out ...
    added = [bench.Example(0, "helt ny tekst om en ny ting", "inform", "helt ny tekst om en ny ting", ())]
    changed = [bench.Example(n, e.text, e.label, e.key, e.entities) for n, e in enumerate(added + kept)]
    after = bench.folds(changed)
    fold_after = {changed[i].key: n for n, fold in enumerate(after) for i in fold}
    # ... and one added: every remaining text stays in the fold it had
    assert {key: fold_after[key] for key in fold_before if key in fold_after} == {
        key: n for key, n in fold_before.items() if key in fold_after
    }
    assert len(fold_after) > len(fold_before) // 2


def test_normalising_folds_case_spelling_and_punctuation():
    assert bench.normalise("Hvad er et Fællesforløb?") == bench.normalise("hvad er et faellesforloeb")


def test_annotated_place_names_are_what_the_entity_ruler_finds(examples):
    if not (ROOT / "build" / "spacy_da").exists():
        pytest.fail("build/spacy_da is missing: `make setup` builds it")
    mismatches = bench.ruler_mismatches(examples)
    # Names that are also words (Odder, Greve, Lejre: places.yml's ambiguous_names) need a capital letter,
    # which the ruler never sees (SpacyNLP lower-cases); alone they are known misses of the ruler.
    from bot.domain import geography

    known = tuple(f"'{name}'" for name in geography.load().ambiguous_names)
    assert [m for m in mismatches if not m.startswith(known)] == []


def test_a_nickname_that_is_also_a_word_is_no_place_in_lower_case():
    import spacy as spacy_module

    nlp = spacy_module.load(ROOT / "build" / "spacy_da")
    assert nlp("kan jeg ringe til nogen").ents == ()
    assert nlp("vi har et godt ry").ents == ()
    assert [e.text for e in nlp("vi er fra Ringe").ents] == ["Ringe"]


def test_place_lookup_table_is_generated_from_the_geography():
    from bot.nlu import lookup_tables as nlu_lookup

    assert nlu_lookup.TARGET.read_text(encoding="utf-8") == nlu_lookup.render(), (
        "data/nlu/lookup_places.yml is stale: run `python -m bot.nlu.lookup_tables`"
    )
    assert "    - thisted\n" in nlu_lookup.render() and "    - ringe\n" not in nlu_lookup.render()


def test_fresh_test_set_has_only_labels_the_bot_knows_and_is_not_training_data(examples):
    fresh, _ = bench.load_examples(bench.FRESH)
    known = {e.label for e in examples}
    assert {f.label for f in fresh} - known == set()
    # It lives apart from data/nlu, so no training run can pick it up.
    assert bench.DATA not in bench.FRESH.parents


def test_fresh_texts_also_in_training_are_left_out_of_its_score(examples):
    taught = examples[0]
    new = bench.Example(
        0,
        "en sætning ingen har skrevet før i træningen",
        "inform",
        bench.normalise("en sætning ingen har skrevet før i træningen"),
        (),
    )
    respelled = bench.Example(
        1, taught.text.upper() + "!", taught.label, bench.normalise(taught.text.upper() + "!"), ()
    )
    assert bench.fresh_leaks([new, respelled], examples) == [respelled.text]


def test_emoji_and_punctuation_only_examples_are_spread_over_the_folds(examples):
    symbols = {e.index for e in examples if not bench.normalise(e.text)}
    assert len(symbols) >= 10
    folds_with_symbols = [n for n, fold in enumerate(bench.folds(examples)) if symbols & set(fold)]
    assert len(folds_with_symbols) == bench.FOLDS


def test_treebank_sentences_that_are_training_examples_are_not_scored_as_unseen(examples):
    sentences = bench.unseen_sentences(examples)
    trained = {e.key for e in examples if e.label == "out_of_scope"}
    lines = [line.strip() for line in bench.TREEBANK.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sentences and all(bench.group_key(s) not in trained for s in sentences)
    # Every other sentence is trained on (scripts/make_offtopic_nlu.py): about half are left to score.
    assert len(lines) // 3 < len(sentences) < len(lines) - len(lines) // 3


def test_off_topic_scores_count_out_of_scope_and_fallbacks_as_the_off_topic_answer():
    predictions = [
        {"intent": "out_of_scope", "fallback": False},
        {"intent": "inform", "fallback": True},
        {"intent": "inform", "fallback": False},
        {"intent": "faq", "fallback": False},
    ]
    scores = bench.off_topic_scores(predictions)
    assert scores == {
        "sentences": 4,
        "out_of_scope": 0.25,
        "off_topic_answer": 0.5,
        "other_intents": {"inform": 2, "faq": 1},
    }


def test_leak_check_reads_a_fresh_text_however_it_is_spelt(tmp_path):
    from tools.bench import leak_check

    fresh = next(iter(leak_check.test_keys()))
    training = tmp_path / "nlu.yml"
    training.write_text(
        f'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n    - {fresh.upper()}!\n    - en helt ny sætning\n',
        encoding="utf-8",
    )
    assert leak_check.leaked([training]) == [f"nlu.yml: {fresh.upper()}!"]
