"""The crisis-phrase detector against labelled sentences, one file per language.

Run with ``-s`` to see the figures; a language below recall 0.95 or precision 0.90 fails,
and the failure names the sentences it got wrong.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groups.crisis_phrases import CrisisMatch, CrisisPhrases
from groups.phrase_patterns import words

SETS = Path(__file__).parent / "crisis_phrases"
MIN_RECALL = 0.95
MIN_PRECISION = 0.90
MIN_SENTENCES = 30

# Words naming a method, a means or a place. No phrase list and no crisis sentence may
# contain one (the idioms among the ordinary sentences may: "hanging in there").
MEANS = {
    "en": "hang hanging hanged noose overdose pill pills tablets jump jumping bridge rope "
    "gun shoot shot poison cut cutting blade knife razor wrist wrists train rail cliff "
    "roof drown gas bleach",
    "es": "pastillas puente cuerda pistola veneno cortar cortarme cuchillo navaja ahorcar "
    "ahorcarme saltar tirarme sobredosis tren vias edificio",
    "de": "tabletten brucke seil strick pistole gift schneiden ritzen messer klinge "
    "erhangen springen uberdosis zug gleise",
    "fr": "pont corde pistolet poison couper lame couteau pendre sauter medicaments "
    "cachets overdose train rails",
    "pt": "ponte corda arma veneno cortar cortei faca lamina enforcar pular comprimidos "
    "remedios overdose trem trilhos",
}
BANNED_WORDS = frozenset(w for text in MEANS.values() for w in words(text))


@dataclass(frozen=True)
class Figures:
    language: str
    recall: float
    precision: float
    missed: tuple[str, ...]
    false_alarms: tuple[str, ...]

    def line(self) -> str:
        return (
            f"{self.language}: recall {self.recall:.3f}, precision {self.precision:.3f}"
            f" (missed {len(self.missed)}, false alarms {len(self.false_alarms)})"
        )


@pytest.fixture(scope="module")
def detector() -> CrisisPhrases:
    return CrisisPhrases.load()


def _labelled(language: str) -> dict[str, list[str]]:
    with (SETS / f"{language}.toml").open("rb") as handle:
        return tomllib.load(handle)


def _figures(detector: CrisisPhrases, language: str) -> Figures:
    data = _labelled(language)
    found = [s for s in data["crisis"] if detector.detect(s) is not None]
    missed = tuple(s for s in data["crisis"] if s not in found)
    alarms = tuple(s for s in data["not_crisis"] if detector.detect(s) is not None)
    precision = len(found) / (len(found) + len(alarms)) if found or alarms else 0.0
    return Figures(language, len(found) / len(data["crisis"]), precision, missed, alarms)


LANGUAGES = sorted(path.stem for path in SETS.glob("*.toml"))


def test_every_language_the_detector_knows_has_a_labelled_set(detector: CrisisPhrases) -> None:
    assert sorted(detector.languages) == LANGUAGES
    assert set(LANGUAGES) >= {"en", "es", "de", "fr", "pt"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_set_is_big_enough(language: str) -> None:
    data = _labelled(language)
    assert len(data["crisis"]) >= MIN_SENTENCES
    assert len(data["not_crisis"]) >= MIN_SENTENCES
    assert not set(data["crisis"]) & set(data["not_crisis"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_recall_and_precision_per_language(detector: CrisisPhrases, language: str) -> None:
    figures = _figures(detector, language)
    print(figures.line())
    detail = f"{figures.line()}\nmissed: {figures.missed}\nfalse alarms: {figures.false_alarms}"
    assert figures.recall >= MIN_RECALL, detail
    assert figures.precision >= MIN_PRECISION, detail


def test_the_gate_would_fail_a_detector_that_misses(detector: CrisisPhrases) -> None:
    deaf = CrisisPhrases([])
    assert _figures(deaf, "en").recall == 0.0
    assert _figures(detector, "en").recall >= MIN_RECALL


@pytest.mark.parametrize(
    "idiom",
    [
        "this traffic is killing me",
        "I'm dying to see the film",
        "I could kill for a coffee",
        "my phone is dead",
        "me muero de risa",
        "ich sterbe vor Hunger",
        "je meurs de faim",
        "morrendo de rir",
        "I don't want to die",
        "I'm not suicidal",
        "No quiero morir",
        "I want to die of embarrassment",
    ],
)
def test_idioms_and_negations_are_not_crisis(detector: CrisisPhrases, idiom: str) -> None:
    assert detector.detect(idiom) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I WANT TO END MY LIFE", "en"),
        ("i want to end my life!!!", "en"),
        ("I dont want to be here anymore", "en"),
        ("I don’t want to be here anymore", "en"),
        ("i wanttt to dieeee", "en"),
        ("I want to kill mysefl", "en"),
        ("quiero quitarme la vida", "es"),
        ("QUIERO QUITARME LA VÍDA", "es"),
        ("ich will nicht mehr leben", "de"),
        ("Ich möchte sterben", "de"),
        ("ich moechte sterben", "de"),
        ("je veux mourir", "fr"),
        ("j’ai envie de mourir", "fr"),
        ("quero me matar", "pt"),
        ("NÃO QUERO MAIS VIVER", "pt"),
    ],
)
def test_forgiving_matching(detector: CrisisPhrases, text: str, language: str) -> None:
    assert detector.detect(text) == CrisisMatch(language)


def test_an_idiom_does_not_hide_a_crisis_phrase_elsewhere(detector: CrisisPhrases) -> None:
    assert detector.detect("I nearly died of embarrassment. Honestly I want to die.")


def test_the_answer_holds_only_the_language(detector: CrisisPhrases) -> None:
    found = detector.detect("I want to end my life")
    assert found is not None
    assert [f.name for f in fields(found)] == ["language"]


def test_detecting_logs_nothing(detector: CrisisPhrases, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        detector.detect("I want to end my life")
        detector.detect("my phone is dead")
    assert caplog.records == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_detect_never_raises_on_any_text(text: str) -> None:
    result = CRISIS_PHRASES.detect(text)
    assert result is None or result.language in CRISIS_PHRASES.languages


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="aeiouáéíóúäöüßçñ'’`´ .!?;…\n-_IİıŞ", max_size=200))
def test_detect_never_raises_on_tricky_letters(text: str) -> None:
    CRISIS_PHRASES.detect(text)


CRISIS_PHRASES = CrisisPhrases.load()


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_crisis_sentence_names_a_method_or_means(language: str) -> None:
    offending = [s for s in _labelled(language)["crisis"] if BANNED_WORDS & set(words(s))]
    assert offending == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_phrase_list_names_a_method_or_means(language: str) -> None:
    folder = resources.files("groups.data").joinpath("crisis_phrases")
    text = folder.joinpath(f"{language}.toml").read_text(encoding="utf-8")
    assert sorted(BANNED_WORDS & set(words(text))) == []


def test_the_means_check_would_catch_one() -> None:
    assert BANNED_WORDS & set(words("I want to jump"))
