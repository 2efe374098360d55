"""Small text helpers for Danish as people type it (with or without æ/ø/å)."""

from __future__ import annotations

import re
import unicodedata

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})
_WORD = re.compile(r"[0-9a-zæøåéüöä]+(?:[-'][0-9a-zæøåéüöä]+)*")


def fold(text: str) -> str:
    """Lower-case and spell æ/ø/å as ae/oe/aa, so 'Åbenrå', 'Aabenraa' and 'aabenraa' meet."""
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    return re.sub(r"\s+", " ", text).strip()


def one_slip(a: str, b: str) -> bool:
    """One letter inserted, dropped, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        )
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, with æ/ø/å kept."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def clean_free_text(text: str, max_length: int) -> str:
    """Strip control characters and outer white space; keep the user's words literally."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[:max_length].strip()  # a cut can end on a space


QUESTION_WORDS = frozenset(
    {
        "hvad",
        "hvem",
        "hvor",
        "hvordan",
        "hvornår",
        "hvorfor",
        "hvilke",
        "hvilken",
        "hvilket",
        "hvis",
        "kan",
        "kunne",
        "er",
        "skal",
        "må",
        "koster",
        "får",
        "findes",
        "gælder",
        "hjælper",
        "dækker",
        "bliver",
        "har",
        "vil",
        "what",
        "who",
        "how",
        "why",
        "where",
        "can",
        "is",
        "do",
    }
)


# A question asked indirectly ("En kollega spørger, om det koster noget", "jeg tænkte på, om man kan søge", "vil
# gerne vide, om ..."), with or without æ/ø/å. question_parts reads a long sentence from here on.
_INDIRECT_QUESTION = re.compile(
    r"\b(?:(?:spørger|spoerger|spurgte|spørge|spoerge),? (?:\w+,? ){0,3}?om|"
    r"vil (?:\w+ ){0,2}(?:gerne |godt )?(?:vide|høre|hoere),? om|"
    r"tænkte (?:på,? )?om|taenkte (?:paa,? )?om|er (?:i )?(?:tvivl|usikker\w*|usikre),? om|"
    r"undrer (?:mig|os),? (?:over,? )?om)\b",
    re.I,
)


def looks_like_question(text: str) -> bool:
    """A question mark, a Danish (or English) question word first ('hvad koster det'), or a question asked
    indirectly ('en kollega spørger, om det koster noget')."""
    stripped = text.strip()
    first = words(stripped)[:1]
    return (
        stripped.endswith("?")
        or bool(first and first[0] in QUESTION_WORDS)
        or bool(_INDIRECT_QUESTION.search(stripped))
    )


# A sentence ends at . ! ? or a line break; a dash between spaces ("... i Vejle – hvad koster det?") ends one too.
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_DASH = re.compile(r"\s[-–—]\s")
# At most this many question sentences of one message are read on their own, and where the channels
# put what the model made of them (the message's metadata; bot/channels/question_parts.py).
MAX_QUESTION_PARTS = 3
QUESTION_PARTS_KEY = "question_parts"


def _after_colon(piece: str) -> list[str]:
    """'Inden jeg tager det op i MED: Hvad forpligter vi os til?' -> the lead-in and the question; a colon
    before anything else (a list, a time) stays inside its sentence."""
    lead, colon, rest = piece.partition(": ")
    return [lead + ":", rest] if colon and words(lead) and looks_like_question(rest) else [piece]


def sentences(text: str) -> list[str]:
    """The sentences of a message that hold a word ('Jeg er TR i Vejle – hvad koster det?' -> two)."""
    found = (
        part.strip()
        for sentence in _SENTENCE.findall(text or "")
        for piece in _DASH.split(sentence)
        for part in _after_colon(piece)
    )
    return [piece for piece in found if words(piece)]


def question_sentences(text: str) -> list[str]:
    """The sentences of a message that ask something ('... Hvad koster det?')."""
    return [sentence for sentence in sentences(text) if looks_like_question(sentence)]


def question_parts(text: str) -> list[str]:
    """The questions of a message that also says something else, to be understood on their own.

    "Jeg er TR på et plejecenter i Nyborg. Kan vi søge uden lederen?" -> ["Kan vi søge uden lederen?"];
    a message that is only a question, or has none, -> [].
    """
    if (text or "").startswith("/"):
        return []
    # "Vi har talt om det i MED-udvalget, og nu vil vi gerne vide, om det koster noget ...": an indirect question
    # inside a long sentence is read from its "vil gerne vide, om" on
    whole = sentences(text)
    told = [_from_indirect_question(sentence) for sentence in whole]
    if told and not looks_like_question(told[-1]):
        # "Vi har talt om det i MED-udvalget og vil gerne søge, men vi når det nok ikke før efter sommerferien, er der
        # en ansøgningsfrist vi skal holde øje med": the question is the message's last clause
        told[-1] = _from_trailing_question(told[-1])
    asked = [i for i, sentence in enumerate(told) if looks_like_question(sentence)]
    if len(told) == 1 and asked:
        # "Hvad koster det, hvor lang tid tager det og skal vi selv finde en konsulent?": several questions in one
        clauses = [c for c in _QUESTION_CLAUSE.split(told[0]) if words(c)]
        return clauses[:MAX_QUESTION_PARTS] if len(clauses) > 1 or told != whole else []
    if not asked or (len(told) == len(asked) and len(asked) < 2):
        return []  # no question, or a message that is one question: the whole message is read as it
    # "Vi er tre kommuner, der vil gå sammen om noget. Kan man det?": a short question that points back
    # ('det', 'sådan') is read with the sentence before it
    return [
        f"{told[i - 1]} {told[i]}" if i > 0 and _points_back(told[i]) else told[i] for i in asked[:MAX_QUESTION_PARTS]
    ]


# The last clauses of a long sentence that ask without a question mark: after a comma (and "men", "og", "så"), a
# question word, or a verb first with its subject ("er der …", "kan vi …", "skal man …"), to the end.
_ASKING_CLAUSE = (
    r"(?:(?:men|og|så|saa)\s+)?(?:"
    r"(?:hvad|hvem|hvor|hvordan|hvornår|hvornaar|hvorfor|hvilke|hvilken|hvilket)\b[^,]*|"
    r"(?:kan|kunne|skal|skulle|må|maa|er|har|får|faar|gælder|gaelder|bliver|vil|findes)\s+"
    r"(?:der|vi|man|i|jeg|det|de|du|en|alle|spark)\b[^,]*)"
)
_TRAILING_QUESTION = re.compile(rf",\s*({_ASKING_CLAUSE}(?:,\s*{_ASKING_CLAUSE})*)\W*$", re.I)
# A sentence that opens with a condition or a time: its clause after the comma is a statement ("Hvis vi søger nu,
# kan vi starte i maj").
_OPENS_SUBORDINATE = re.compile(
    r"^\W*(?:hvis|når|naar|da|fordi|selvom|selv om|efter|før|foer|inden|mens|eftersom|siden|nu hvor)\b", re.I
)


def _from_trailing_question(sentence: str) -> str:
    """The last clause of a long sentence, where it asks: 'Vi er en TRIO på et plejecenter i Jelling og overvejer at
    søge, men nogle er bange for at det kommer ud, hvem får egentlig at vide hvad vi søger om' -> 'hvem får
    egentlig at vide hvad vi søger om'. Only after at least eight words of telling, and not after a sentence that
    opens with a condition ('Hvis vi søger nu, kan vi starte i maj' is a statement)."""
    found = _TRAILING_QUESTION.search(sentence)
    if not found or _OPENS_SUBORDINATE.search(sentence) or len(words(sentence[: found.start()])) < 8:
        return sentence
    return re.sub(r"^(?:men|og|så|saa)\s+", "", found.group(1).strip(), flags=re.I)


def _from_indirect_question(sentence: str) -> str:
    """The sentence from its indirect question on, where that stands after some words of telling: 'Vi har talt om det
    i MED-udvalget, og nu vil vi gerne vide om det koster noget' -> 'vil vi gerne vide om det koster noget'."""
    found = _INDIRECT_QUESTION.search(sentence)
    if found and len(words(sentence[: found.start()])) >= 4:
        return sentence[found.start() :]
    return sentence


# Where a second question begins inside one sentence: ", hvor lang tid ...", " og skal vi ..."
_QUESTION_CLAUSE = re.compile(
    r",\s*(?=(?:og )?(?:hvad|hvor|hvem|hvornår|hvornaar|hvordan|hvilke|hvilken|kan|skal|må|maa|er der)\b)|"
    r"\s+og\s+(?=(?:hvad|hvor|hvem|hvornår|hvornaar|hvordan|hvilke|hvilken|skal|må|maa)\b)",
    re.I,
)


_POINTS_BACK = re.compile(r"\b(?:det|dette|sådan|saadan|sadan|slags|alligevel|that|it)\b", re.I)
# Words that ask whether something can be done without saying what: "er det muligt?", "kan man det?"
_ONLY_ASKS_IF = frozenset(
    {"muligt", "alligevel", "søge", "gælder", "gaelder", "lade", "gøre", "gore", "goere", "tilladt", "possible"}
)


def _points_back(question: str) -> bool:
    """A yes/no question that points back and says nothing itself: 'kan man det?', 'er det muligt?' ->
    True; 'hvad koster det?', 'er det gratis?' -> False."""
    said = words(question)
    return (
        0 < len(said) <= 5
        and said[0] not in _WH_WORDS
        and bool(_POINTS_BACK.search(question))
        and all(len(word) < 5 or word in _ONLY_ASKS_IF for word in said)
    )


_WH_WORDS = frozenset(
    {
        "hvad",
        "hvem",
        "hvor",
        "hvordan",
        "hvornår",
        "hvornaar",
        "hvorfor",
        "hvilke",
        "hvilken",
        "hvilket",
        "what",
        "who",
        "how",
        "why",
        "when",
        "where",
    }
)


_NO = re.compile(r"\b(nej|nope|naej|næ|ikke|uenige?|aldrig|desværre|desvaerre|no|not)\b")
_YES = re.compile(
    r"\b(ja|jo|jep|jeps|jaa|yes|yep|sure|ok|okay|enige?|klar|gerne|selvfølgelig|selvfoelgelig|"
    r"korrekt|rigtigt|aftalt|bekræftet|bekraeftet|send)\b"
)


def yes_or_no(text: str) -> bool | None:
    """'ja, vi er enige' -> True, 'nej, ikke endnu' -> False, anything else -> None."""
    lowered = unicodedata.normalize("NFC", text).lower()
    if _NO.search(lowered):
        return False
    if _YES.search(lowered):
        return True
    return None


_ENGLISH = frozenset(
    {
        "the",
        "is",
        "are",
        "you",
        "your",
        "what",
        "how",
        "can",
        "could",
        "please",
        "help",
        "hello",
        "hi",
        "thanks",
        "thank",
        "do",
        "does",
        "speak",
        "english",
        "this",
        "that",
        "with",
        "want",
        "need",
        "my",
        "me",
        "apply",
        "where",
        "who",
        "why",
        "work",
        "workplace",
        "support",
        "and",
        "for",
        "of",
        "it",
        "free",
        "we",
        "our",
        "am",
        "in",
        "on",
        "about",
        "a",
        "an",
        "get",
        "there",
        "anyone",
        "talk",
    }
)
_DANISH = frozenset(
    {
        "jeg",
        "vi",
        "du",
        "er",
        "det",
        "og",
        "at",
        "en",
        "et",
        "på",
        "til",
        "med",
        "har",
        "kan",
        "hvad",
        "hvordan",
        "ikke",
        "om",
        "som",
        "for",
        "hej",
        "tak",
        "vil",
        "der",
        "os",
        "min",
        "mig",
        "skal",
    }
)


def looks_english(text: str) -> bool:
    """More English words than Danish ones, and at least two: 'can you help me' -> True."""
    found = words(text)
    english = sum(w in _ENGLISH for w in found)
    danish = sum(w in _DANISH and w not in _ENGLISH for w in found)
    return english >= 2 and english > danish
