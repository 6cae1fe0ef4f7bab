"""The report's text as the living report renders it: paragraphs, sentences, and inside them
plain text, glossary terms and target marks. Pure functions over strings, no database: the
selectors load the rows, these place them in the text.

A target's clause (Target.source_text) is a verbatim substring of its section's body. The
clause is looked for at its first occurrence not already taken by another target; targets that
quote the very same words (one clause, several indicators) share it. The sentence holding a
clause is marked and the target's badge goes right after the clause.
"""

import re
from dataclasses import dataclass, field

# A sentence ends after one of these (and any closing quotes or brackets that follow it).
SENTENCE_END = re.compile(r"[。！？；!?;][”’」』）)]*")
PARAGRAPH_BREAK = re.compile(r"\n+")
# "(一)加快北城区开发建设。": a numbered sub-section opens its body with its own title.
NUMBERED_LEAD = re.compile(r"^[(（]([一二三四五六七八九十]+|\d+)[)）]")


@dataclass
class Piece:
    """A run of a sentence: plain `text`, a glossary `term` occurrence, or the `targets` whose
    clauses end here (their badges)."""

    text: str = ""
    term: object = None
    targets: list = field(default_factory=list)
    occurrence: int = 0  # the term's number on the page, for a unique tooltip id

    @property
    def is_term(self):
        return self.term is not None

    @property
    def is_marks(self):
        return bool(self.targets)


@dataclass
class Sentence:
    pieces: list
    targets: list  # the targets whose clauses lie (partly) in this sentence; marked when any
    lead: bool = False  # the "(一)title。" that opens a sub-section


@dataclass
class Paragraph:
    sentences: list
    title_line: bool = False  # a line of the title page (no sentence in it): centred

    @property
    def text(self):
        return "".join(piece.text for sentence in self.sentences for piece in sentence.pieces)


def find_clauses(body: str, targets, taken=None) -> tuple[dict, list]:
    """Place each target's clause in `body`: {target: (start, end)} and the targets not found.

    `taken` (a set of spans) carries the spans already used across calls."""
    taken = set() if taken is None else taken
    placed, missing = {}, []
    for target in targets:
        clause = target.source_text
        starts = _occurrences(body, clause) if clause else []
        if not starts:
            missing.append(target)
            continue
        spans = [(start, start + len(clause)) for start in starts]
        span = next((span for span in spans if span not in taken), spans[0])
        taken.add(span)
        placed[target] = span
    return placed, missing


def _occurrences(text: str, fragment: str) -> list[int]:
    found, start = [], text.find(fragment)
    while start >= 0:
        found.append(start)
        start = text.find(fragment, start + 1)
    return found


def term_pattern(terms):
    """One regular expression for every term, longest first so that a longer term wins."""
    words = sorted({term.term for term in terms if term.term}, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in words)) if words else None


def term_matches(text: str, terms, pattern=None) -> list[tuple[int, int, object]]:
    pattern = pattern or term_pattern(terms)
    if pattern is None:
        return []
    by_word = {term.term: term for term in terms}
    return [(match.start(), match.end(), by_word[match.group(0)]) for match in pattern.finditer(text)]


def sentence_spans(text: str) -> list[list[tuple[int, int]]]:
    """Paragraphs (split at line breaks) of sentences, as (start, end) offsets into `text`."""
    paragraphs, start = [], 0
    for part in [*PARAGRAPH_BREAK.finditer(text), None]:
        end = part.start() if part else len(text)
        if end > start:
            sentences, at = [], start
            for stop in SENTENCE_END.finditer(text, start, end):
                sentences.append((at, stop.end()))
                at = stop.end()
            if at < end:
                sentences.append((at, end))
            paragraphs.append(sentences)
        start = part.end() if part else end
    return paragraphs


def compose(text: str, *, clauses: dict | None = None, terms=(), pattern=None, title: str = "") -> list[Paragraph]:
    """`text` as paragraphs of sentences of pieces: glossary terms marked, each target's badge
    after its clause (`clauses` = {target: (start, end)}), sentences holding a clause marked.
    A sentence that is `title` after its "(一)" numbering is the section's lead."""
    clauses = clauses or {}
    matches = term_matches(text, terms, pattern)
    # A badge never splits a term: a clause ending inside one gets its badge after the term.
    badges: dict[int, list] = {}
    for target, (_start, end) in clauses.items():
        for term_start, term_end, _term in matches:
            if term_start < end < term_end:
                end = term_end
                break
        badges.setdefault(end, []).append(target)
    paragraphs = []
    for spans in sentence_spans(text):
        sentences = []
        for start, end in spans:
            held = [target for target, (a, b) in clauses.items() if a < end and start < b]
            pieces = _pieces(text, start, end, matches, badges)
            lead = bool(title) and not paragraphs and not sentences and _is_lead(text[start:end], title)
            sentences.append(Sentence(pieces=pieces, targets=held, lead=lead))
        paragraphs.append(Paragraph(sentences=sentences))
    return paragraphs


def _is_lead(sentence: str, title: str) -> bool:
    return NUMBERED_LEAD.sub("", sentence).rstrip("。.:：") == title


def _pieces(text, start, end, matches, badges) -> list[Piece]:
    """Cut text[start:end] at its terms and at its badge positions (never inside a term)."""
    events = [(a, 1, b, term) for a, b, term in matches if start <= a and b <= end]
    events += [(position, 0, position, None) for position in badges if start < position <= end]
    pieces, at = [], start
    for position, is_term, term_end, term in sorted(events, key=lambda event: event[:2]):
        if at < position:
            pieces.append(Piece(text=text[at:position]))
        if is_term:
            pieces.append(Piece(text=text[position:term_end], term=term))
        else:
            pieces.append(Piece(targets=badges[position]))
        at = term_end
    if at < end:
        pieces.append(Piece(text=text[at:end]))
    return pieces
