"""Score how well a queried name fits a listed name, with the features that decided it.

The score is in [0, 1]. Name parts are aligned in any order (surname first or last, the
patronymic present or not); each aligned pair is scored by the best of: the same folded
token, the same phonetic key (spellings of one Cyrillic name), an initial against a full
name, or a small edit distance whose budget grows with the token's length (one slip in a
seven-letter surname is a typo, two make another surname). Parts left unaligned lower the
score: on the query side fully, on the listed side less for persons (lists carry middle
names and patronymics that a payment rarely does) than for organisations (an extra word in
a company name usually names another company).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import field

from rapidfuzz.distance import Levenshtein

from bilateral.screening.normalise import (
    Name,
    parse_name,
    phonetic,
    record,
    skeleton,
    sound_skeleton,
    sound_words,
)

MATCHER_VERSION = "bilateral-screening-1"


@record  # frozen to the type checker, not at run time (built for every comparison)
class NameScore:
    score: float
    features: dict[str, float] = field(default_factory=dict)
    aligned: tuple[tuple[str, str, str], ...] = ()  # (query token, listed token, how)


def _edit_budget(length: int) -> int:
    if length <= 4:
        return 0
    if length <= 8:
        return 1
    return 2


def token_similarity(
    a: str,
    ka: str,
    b: str,
    kb: str,
    consonantal: bool = False,
    syllabic: bool = False,
    cross_script: bool = False,
    korean: bool = False,
) -> tuple[float, str]:
    """Similarity of two name parts and the rule that gave it. ``consonantal``: the names
    are in different scripts, one of them written without vowels; ``syllabic``: both are in
    Han or Hangul, where a syllable that differs is another character; ``korean``: one of
    them is Korean (Hangul, or Han read in Korean) and the other is not, so the initial
    consonants that Korean does not tell apart by voicing meet (Jeong / Jong / Chong,
    Gim / Kim, Bak / Pak, Do / To: the Revised and McCune-Reischauer romanisations)."""
    if a == b:
        return 1.0, "same"
    if syllabic:
        return 0.0, ""
    if a.isdigit() or b.isdigit():
        return 0.0, ""  # numbers identify: Brigade 44 is not Brigade 45
    if consonantal and len(a) > 1 and len(b) > 1:
        sa, sb = skeleton(a), skeleton(b)
        if sa == sb and sa:
            return 0.9, "consonants"
    if len(a) == 1 or len(b) == 1:
        if a[0] == b[0]:
            return 0.8, "initial"
        return 0.0, ""
    if ka == kb and len(ka) >= 2:
        return 0.92, "transliteration"
    if korean and len(ka) >= 2 and _korean_key(a) == _korean_key(b):
        return 0.9, "transliteration"
    if (
        cross_script
        and ka[:1] == kb[:1]
        and min(len(ka), len(kb)) >= 4
        and Levenshtein.distance(ka, kb, score_cutoff=1) <= 1
    ):
        return 0.85, "transliteration"  # Alexandros / Alexander
    # min() and max() of two ints written out: the builtins cost more than the comparison.
    length_a, length_b = len(a), len(b)
    shortest = length_a if length_a <= length_b else length_b
    if shortest > 4:
        budget = 1 if shortest <= 8 else 2  # _edit_budget
        longest = length_b if length_a <= length_b else length_a
        # The distance is at least the difference of the lengths: no call when that is over.
        if longest - shortest <= budget:
            distance = Levenshtein.distance(a, b, score_cutoff=budget)
            if distance <= budget:
                return 1.0 - 0.5 * distance / longest - 0.05, "typo"
    return 0.0, ""


_KOREAN_INITIALS = (("ch", "j"), ("k", "g"), ("p", "b"), ("t", "d"))


def _korean_key(token: str) -> str:
    """The phonetic key of a Korean syllable with its initial consonant unvoiced-or-voiced
    alike (Chong and Jeong meet, Kim and Gim)."""
    for old, new in _KOREAN_INITIALS:
        if token.startswith(old):
            token = new + token[len(old) :]
            break
    return phonetic(token)


# token_similarity, remembered per kind of comparison: in bulk screening the same pairs of
# common given names and surnames recur on every row. Names of one alphabetic script and
# without digits, most of them, do without (``_plain_pairs``: the tests cost less than
# the look-up).
_SIMILARITY: dict[tuple[bool, bool, bool, bool], dict[tuple[str, str], tuple[float, str]]] = {}
_SIMILARITY_SIZE = 1_000_000


def _plain_pairs(
    q_tokens: tuple[str, ...],
    q_keys: tuple[str, ...],
    c_tokens: tuple[str, ...],
    c_keys: tuple[str, ...],
) -> list[tuple[float, int, int, str]]:
    """The aligned candidates (-similarity, i, j, how) of two names in one alphabetic
    script and without digits: ``token_similarity`` with every flag off, written out in
    the loop (the same tests in the same order, those that cannot apply left out), since a
    call for each pair of parts costs more than the tests, and more than a look-up in a
    cache of them would."""
    distance = Levenshtein.distance
    pairs: list[tuple[float, int, int, str]] = []
    # Loops over ranges: an enumerate for each row costs more than the look-ups.
    columns = range(len(c_tokens))
    for i in range(len(q_tokens)):
        a = q_tokens[i]
        length_a = len(a)
        if length_a == 1:  # an initial: only the same letter, or a name it begins
            for j in columns:
                b = c_tokens[j]
                if a == b:
                    pairs.append((-1.0, i, j, "same"))
                elif b[0] == a:
                    pairs.append((-0.8, i, j, "initial"))
            continue
        ka = q_keys[i]
        keyed = len(ka) >= 2
        head = a[0]
        for j in columns:
            b = c_tokens[j]
            if a == b:
                pairs.append((-1.0, i, j, "same"))
                continue
            length_b = len(b)
            if length_b == 1:
                if head == b:
                    pairs.append((-0.8, i, j, "initial"))
            elif keyed and ka == c_keys[j]:
                pairs.append((-0.92, i, j, "transliteration"))
            elif length_a > 4 and length_b > 4:  # a typo (see token_similarity)
                if length_a <= length_b:
                    shortest, longest = length_a, length_b
                else:
                    shortest, longest = length_b, length_a
                budget = 1 if shortest <= 8 else 2
                if longest - shortest <= budget:
                    slips = distance(a, b, score_cutoff=budget)
                    if slips <= budget:
                        pairs.append((-(1.0 - 0.5 * slips / longest - 0.05), i, j, "typo"))
    return pairs


def _cached_pairs(q: Name, c: Name) -> list[tuple[float, int, int, str]]:
    """The aligned candidates (-similarity, i, j, how) of any two names, by
    ``token_similarity`` with the flags their scripts call for, remembered."""
    q_script, c_script = q.script, c.script
    if q_script == c_script:
        flags = (False, q_script in ("cjk", "hangul"), False, False)
    else:
        scripts = (q_script, c_script)
        flags = (
            "consonantal" in scripts,  # consonantal
            False,  # syllabic
            True,  # cross_script
            "hangul" in scripts,  # korean
        )
    cache = _SIMILARITY.get(flags)
    if cache is None or len(cache) > _SIMILARITY_SIZE:
        cache = _SIMILARITY[flags] = {}
    get = cache.get
    consonantal, syllabic, cross_script, korean = flags
    pairs: list[tuple[float, int, int, str]] = []
    q_tokens, c_tokens = q.tokens, c.tokens
    q_keys, c_keys = q.keys, c.keys
    columns = range(len(c_tokens))
    for i, a in enumerate(q_tokens):
        for j in columns:
            b = c_tokens[j]
            found = get((a, b))
            if found is None:
                found = cache[a, b] = token_similarity(
                    a, q_keys[i], b, c_keys[j], consonantal, syllabic, cross_script, korean
                )
            if found[0] > 0:
                pairs.append((-found[0], i, j, found[1]))
    return pairs


_JOINED_TOP = 0.95  # the most _joined gives


def _joined(q: Name, c: Name) -> float:
    """Names written joined or split ("SiemensAG", "Abdul Lah" / "Abdullah")."""
    a, b = q.compact, c.compact
    if q.script == c.script and q.script in ("cjk", "hangul"):
        return 0.95 if a == b else 0.0
    if q.script != c.script and "consonantal" in (q.script, c.script):
        sa, sb = skeleton(a), skeleton(b)
        if len(sa) >= 3 and sa == sb:
            return 0.88
    if len(a) < 6 or len(b) < 6:
        return 0.0
    if a == b:
        return 0.95
    length_a, length_b = len(a), len(b)
    shortest, longest = (length_a, length_b) if length_a <= length_b else (length_b, length_a)
    budget = _edit_budget(shortest)
    if longest - shortest > budget:
        return 0.0  # the distance is at least the difference of the lengths
    distance = Levenshtein.distance(a, b, score_cutoff=budget)
    if distance <= budget:
        return 0.9 - 0.5 * distance / longest
    return 0.0


def score_names(query: Name, listed: Name, person: bool) -> NameScore:
    """Score a queried name against one listed name (and the other reading of Han names)."""
    best = _score_names(query, listed, person)
    # Only names in Han characters have alternates (asked for only where compared).
    if query.script == "cjk" or listed.script == "cjk":
        pairs: list[tuple[Name, Name]] = []
        if listed.script != "cjk":
            pairs.extend((alternate, listed) for alternate in query.alternates)
        if query.script != "cjk":
            pairs.extend((query, alternate) for alternate in listed.alternates)
        for q, c in pairs:
            other = _score_names(q, c, person)
            if other.score > best.score:
                features = {**other.features, f"{q.reading or c.reading}_reading": 1.0}
                best = NameScore(other.score, features, other.aligned)
    if bool(query.sounds) != bool(listed.sounds) and best.score < TRANSCRIPTION_TOP:
        heard = _transcription(query, listed, person)
        if heard.score > best.score:
            best = heard
    return best


# A name transcribed by its sounds into Hangul, kana, Han, Burmese or Thai (블라디미르 푸틴,
# ウラジーミル・プーチン, 弗拉基米尔·普京) against the same name in another script, compared on the
# consonant classes of each word (``normalise.sound_skeleton``). Coarser evidence than a
# transliteration, so it scores at most TRANSCRIPTION_TOP, only across scripts (a Latin
# pair never takes this route), and only when every word of the transcribed name is heard
# in the other name (persons' middle names and patronymics aside, as for name parts), the
# aligned skeletons together hold at least TRANSCRIPTION_MIN_CONSONANTS consonants (two
# short words sharing p-m and p-k are not a name), and a skeleton may differ by one class
# only when both have four or more (ウラジーミル drops the v of Vladimir, Burmese its final r).
TRANSCRIPTION_TOP = 0.88  # against the listed form with a patronymic: 0.81
TRANSCRIPTION_NEAR = 0.9  # a word heard with one class missing or different
TRANSCRIPTION_MIN_CONSONANTS = 5
TRANSCRIPTION_HOW = "phonetic transcription"


def _transcription(query: Name, listed: Name, person: bool) -> NameScore:
    none = NameScore(0.0)
    heard_side, other = (query, listed) if query.sounds else (listed, query)
    if not other.tokens or other.script in ("hangul", "cjk"):
        return none
    words = heard_side.sounds
    bones = [sound_skeleton(t) if not t.isdigit() else "" for t in other.tokens]
    pairs: list[tuple[float, int, int]] = []
    for i, a in enumerate(words):
        if len(a) < 2:
            continue
        for j, b in enumerate(bones):
            if len(b) < 2:
                continue
            if a == b:
                pairs.append((1.0, i, j))
            elif min(len(a), len(b)) >= 4 and Levenshtein.distance(a, b, score_cutoff=1) <= 1:
                pairs.append((TRANSCRIPTION_NEAR, i, j))
    if not pairs:
        return none
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_w: set[int] = set()
    used_o: set[int] = set()
    aligned: list[tuple[float, int, int]] = []
    for sim, i, j in pairs:
        if i not in used_w and j not in used_o:
            used_w.add(i)
            used_o.add(j)
            aligned.append((sim, i, j))
    if sum(len(words[i]) for _, i, _ in aligned) < TRANSCRIPTION_MIN_CONSONANTS:
        return none
    left_w = 1.5 * (len(words) - len(aligned))
    left_o = sum(w for j, w in enumerate(other.weights) if j not in used_o)
    if left_w and left_o:
        return none  # a word on each side that the other lacks: another name
    matched = sum(sim * other.weights[j] for sim, _, j in aligned)
    full = sum(other.weights[j] for _, _, j in aligned)
    slack = 0.15 if person and len(aligned) >= 2 else 0.8
    score = _round4(TRANSCRIPTION_TOP * matched / (full + slack * (left_w + left_o)))
    written = sound_words(heard_side.original)
    explained = sorted(aligned, key=lambda p: p[1] if heard_side is query else p[2])
    return NameScore(
        score,
        {"transcription": score},
        tuple(
            (written[i], other.tokens[j], TRANSCRIPTION_HOW)
            if heard_side is query
            else (other.tokens[j], written[i], TRANSCRIPTION_HOW)
            for _, i, j in explained
        ),
    )


def _score_names(query: Name, listed: Name, person: bool) -> NameScore:
    q_tokens, c_tokens = query.tokens, listed.tokens
    if not q_tokens or not c_tokens:
        return NameScore(0.0, {"empty": 1.0})
    if q_tokens == c_tokens:
        # The same parts in the same order (an exact hit, common): what the alignment
        # below comes to. Every part meets itself at 1.0, the best similarity, and the
        # greedy pass takes (i, i) first for each i; nothing is left over, the matched
        # weight equals the full weight, and the joined names cannot score more.
        score = 1.0
        same: dict[str, float] = {"name_parts": 1.0}
        if query.legal_form and listed.legal_form and query.legal_form != listed.legal_form:
            score *= 0.85
            same["legal_form_differs"] = 1.0
        # (t, t, "same") for each part, by zip: a comprehension is a call of its own.
        itself = tuple(zip(q_tokens, q_tokens, ("same",) * len(q_tokens), strict=True))
        return NameScore(_round4(score), same, itself)
    # Greedy best-first alignment of the parts: the candidates sorted as tuples (best
    # first, then in order of the parts), each taken unless one of its parts already is.
    q_script, c_script = query.script, listed.script
    # One alphabetic script and no digit (compact is of a-z and 0-9), as most names are:
    # ``token_similarity`` with every flag off, written out (``_plain_pairs``).
    plain = (
        q_script == c_script
        and q_script != "cjk"
        and q_script != "hangul"
        and query.compact.isalpha()
        and listed.compact.isalpha()
    )
    if plain:
        pairs = _plain_pairs(q_tokens, query.keys, c_tokens, listed.keys)
    else:
        pairs = _cached_pairs(query, listed)
    if len(pairs) > 1:
        pairs.sort()
    q_weights, c_weights = query.weights, listed.weights
    used_q: set[int] = set()
    used_c: set[int] = set()
    aligned: list[tuple[int, int, str]] = []  # (i, j, how), best first
    matched = full = 0.0
    strong = False
    for sim, i, j, how in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        aligned.append((i, j, how))
        pair = q_weights[i] + c_weights[j]
        matched += -sim * pair / 2
        full += pair / 2
        strong = strong or how != "initial"
    # The parts left unaligned on each side, in order.
    number_left = False  # a number among the parts left, on either side
    left_q = left_c = 0.0
    rest_q = rest_c = False
    if len(used_q) < len(q_tokens):
        rest_q = True
        for i in range(len(q_tokens)):
            if i not in used_q:
                left_q += q_weights[i]
                number_left = number_left or q_tokens[i].isdigit()
    if len(used_c) < len(c_tokens):
        rest_c = True
        for j in range(len(c_tokens)):
            if j not in used_c:
                left_c += c_weights[j]
                number_left = number_left or c_tokens[j].isdigit()
    # Parts left over on one side only: the other name is a shorter form of it. A listed
    # person's extra parts (middle names, patronymic) weigh little: "Alexander Lukashenko"
    # is Aleksandr Grigoryevich Lukashenko; but a lone matching part of a long name is not
    # enough ("Walijan" is not Walijan Abdul Ghafoor Haqqani). Parts left over on both
    # sides are a contradiction: one part of the name was replaced by another ("Recep
    # Tayyip Erdem" is not Recep Tayyip Erdoğan), and count in full.
    if rest_q and rest_c:
        slack = 1.0
    elif person and len(aligned) >= 2:
        slack = 0.15
    elif not person and aligned:
        slack = 0.5
    else:
        slack = 0.8
    denominator = full + slack * left_q + slack * left_c
    score = matched / denominator if denominator else 0.0
    if number_left:
        score *= 0.75  # a number on one side only: another vessel, fund or series
    name_parts = _round4(score)
    features: dict[str, float] = {"name_parts": name_parts}
    # The parts' score is in [0, 1] (the matched weight is at most the full weight, which
    # is at most the denominator): the final score unless something below changes it.
    final = name_parts
    if aligned and not strong:
        score *= 0.5  # initials alone identify nobody
        features["initials_only"] = 1.0
        final = -1.0
    # The names joined, unless they cannot score more: _joined gives at most _JOINED_TOP,
    # and nothing to names of one alphabetic script whose lengths differ by more than its
    # largest edit budget (2).
    if score < _JOINED_TOP and (not plain or -2 <= len(query.compact) - len(listed.compact) <= 2):
        joined = _joined(query, listed)
        if joined > score:
            score = joined
            features["joined"] = _round4(joined)
            final = -1.0
    if query.legal_form and listed.legal_form and query.legal_form != listed.legal_form:
        score *= 0.85
        features["legal_form_differs"] = 1.0
        final = -1.0
    if final < 0.0:  # changed: min(max(score, 0.0), 1.0) rounded
        # min and max written out (as the builtins decide: 0.0 only if greater)
        clamped = 0.0 if score < 0.0 else score
        clamped = 1.0 if clamped > 1.0 else clamped
        final = _round4(clamped)
    if len(aligned) > 1:
        aligned.sort()  # in the order of the query's parts (each is aligned once)
    # The parts aligned, by a loop here: a comprehension is a call of its own.
    explained: list[tuple[str, str, str]] = []
    for i, j, how in aligned:
        explained.append((q_tokens[i], c_tokens[j], how))
    return NameScore(final, features, tuple(explained))


def _round4(x: float) -> float:
    """``round(x, 4)``, the same float, without the decimal conversion that ``round``
    makes with a number of digits (a few microseconds a score). x · 10⁴ rounded to the
    nearest integer is the right count of ten-thousandths unless x · 10⁴ is within
    rounding error of a half (a tie, or too close to tell): ``round`` decides those. The
    integer over 10⁴ is then correctly rounded, as ``round``'s conversion back is."""
    if x == 0.0:
        return x  # round keeps 0.0 and -0.0 as they are
    if 0.0 < x < 100.0:
        scaled = x * 10000.0
        whole = (scaled + 0.5) // 1.0  # an integer as a float, exact below 2 ** 53
        if -0.4999999 < scaled - whole < 0.4999999:
            return whole / 10000.0
    return round(x, 4)


# One part of a longer listed name (a surname alone, an entity's distinctive word or its
# acronym): scored by how rare the part is among the listed entries, since the lists are
# the population an analyst screens against. A part only one entry has scores PART_TOP
# (alerts at the payment and declaration thresholds, 0.80); every tenfold more entries
# having it take PART_STEP off: 5 entries (Lukashenko) 0.815, 10 entries 0.77, 17 (Ivanov,
# Ivanova) 0.735, 25 entries 0.71: "Ivanov" alone lists the Ivanovs below the payment and
# declaration thresholds (onboarding's widest net, 0.72, still shows them). Spellings of
# one key (Lukashenka / Lukashenko) count as the same part. When the query has
# other parts that the listed name lacks ("Ivan Ivanov" / Valery Nikolaevich Ivanov, the
# given names differ), the surname alone is worth half that: a candidate at 0.35, never an
# alert at the default thresholds.
PART_TOP = 0.92
PART_STEP = 0.15
PART_OTHERS_DIFFER = 0.5
PART_LABELS = ("surname only", "one word of the name only")
_WORDS = re.compile(r"\w+")


def _surnames(listed: Name) -> list[int]:
    """Positions of a listed person's surname: the words in capitals ("Sergei IVANOV",
    "LUKASHENKO, Aleksandr"), else the word before a comma ("Lukashenko, Aleksandr"), else
    the last word (the schedules write given names first). A given name alone is no part
    match: "Anna" is not Anna Ivanovna Otke."""
    words = _WORDS.findall(listed.original)
    if len(words) == len(listed.tokens):
        capitals = [i for i, w in enumerate(words) if len(w) > 1 and w.isupper()]
        if capitals and len(capitals) < len(words):
            return capitals
    if "," in listed.original:
        return [0]
    return [len(listed.tokens) - 1]


def part_score(query: Name, listed: Name, person: bool, holders: Callable[[str], int]) -> NameScore:
    """The score of a query that is one part of a longer listed name, or 0 when it is not.

    For a one-part query: a listed person's surname, or any word of an entity's name that
    says which entity (not "company", "group", a particle); for a query of several parts
    against a person: the surname agreeing with the query's first or last part. ``holders(key)``
    is the number of listed entries with a part of that phonetic key."""
    none = NameScore(0.0)
    if len(listed.tokens) < 2 or not query.tokens:
        return none
    single = len(query.tokens) == 1
    if not single and not person:
        return none
    if single:
        positions = _surnames(listed) if person else range(len(listed.tokens))
        asked = [0]
    else:
        positions = _surnames(listed)
        asked = sorted({0, len(query.tokens) - 1})
    best = none
    for i in asked:
        a, ka = query.tokens[i], query.keys[i]
        if len(a) < 3 or a.isdigit() or query.weights[i] < 1.0:
            continue
        for j in positions:
            b, kb = listed.tokens[j], listed.keys[j]
            if listed.weights[j] < 1.0:
                continue
            sim, how = token_similarity(a, ka, b, kb)
            if sim <= 0 or how == "initial":
                continue
            count = max(1, holders(kb))
            score = max(0.3, PART_TOP - PART_STEP * math.log10(count))
            if how not in ("same", "transliteration"):
                score *= sim  # a typo of the part
            if not single:
                score *= PART_OTHERS_DIFFER
            if score > best.score:
                label = PART_LABELS[0] if person else PART_LABELS[1]
                features = {"part_only": _round4(score), "part_holders": float(count)}
                best = NameScore(_round4(score), features, ((a, b, f"{how}; {label}"),))
    return best


def compare(query: str, listed: str, person: bool = True) -> NameScore:
    """Score two names as given (the convenience door for tests and the benchmark)."""
    company = not person
    return score_names(parse_name(query, company), parse_name(listed, company), person)
