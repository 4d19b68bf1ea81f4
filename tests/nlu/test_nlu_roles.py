"""Role matching: every alias in every language, typos, no diacritics, never a wrong role."""

from __future__ import annotations

import pytest

from bot.nlu.normalize import folded
from bot.nlu.roles import MASK, RoleMatcher, distinct_roles, mask

ALIASES = {
    "it-project-manager": {
        "en": ["it project manager", "project manager"],
        "nb": ["it-prosjektleder", "prosjektleder"],
        "nn": ["it-prosjektleiar"],
        "lv": ["IT projektu vadītājs"],
        "fa": ["مدیر پروژه فناوری اطلاعات"],
    },
    "it-service-manager": {
        "en": ["it service manager", "itsm"],
        "nb": ["it-tjenesteleder"],
        "lv": ["IT pakalpojumu vadītājs"],
    },
    "ict-service-technician": {
        "en": ["ict service technician"],
        "nn": ["ikt-servicemedarbeidar"],
        "lv": ["IKT servisa tehniķis"],
    },
    "user-support-specialist": {
        "en": ["user support specialist"],
        "nb": ["brukerstøttemedarbeider", "brukerstøtte"],
    },
    "helpdesk-specialist": {"en": ["helpdesk specialist", "helpdesk"], "nb": ["helpdesk"]},
}


@pytest.fixture(scope="module")
def matcher() -> RoleMatcher:
    return RoleMatcher(ALIASES)


def roles(matcher: RoleMatcher, text: str) -> tuple[str, ...]:
    return distinct_roles(matcher.find(folded(text).split()))


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("what does an IT project manager do", "it-project-manager"),
        ("hva tjener en IT-prosjektleder", "it-project-manager"),
        ("hva tjener en it prosjektleder", "it-project-manager"),  # space for hyphen
        ("hva tjener en itprosjektleder", "it-project-manager"),  # no separator
        ("salary of an it projetc manger", "it-project-manager"),  # two typos
        ("cik pelna it projektu vaditajs", "it-project-manager"),  # no diacritics
        ("lønn for prosjektlederen", "it-project-manager"),  # inflected (definite form)
        ("ikt tehniķim vajag zināšanas", "ict-service-technician"),  # inner word left out
        ("compare ict service tech", "ict-service-technician"),  # cut short
        ("حقوق مدير پروژه فناوري اطلاعات", "it-project-manager"),  # Arabic letter variants
        ("what is itsm", "it-service-manager"),
        ("helpdesk salary", "helpdesk-specialist"),
    ],
)
def test_finds_the_role(matcher: RoleMatcher, text: str, role: str) -> None:
    assert roles(matcher, text) == (role,)


def test_most_specific_alias_wins(matcher: RoleMatcher) -> None:
    # "project manager" alone is an alias too, but "it service manager" is longer and wins.
    assert roles(matcher, "is an it service manager a project manager") == (
        "it-service-manager",
        "it-project-manager",
    )
    assert roles(matcher, "it project manager") == ("it-project-manager",)


def test_two_roles_in_order(matcher: RoleMatcher) -> None:
    assert roles(matcher, "helpdesk specialist vs it-prosjektleder") == (
        "helpdesk-specialist",
        "it-project-manager",
    )


@pytest.mark.parametrize(
    "text",
    [
        "how much does a dentist earn",
        "kundestøttemedarbeider",  # five edits from brukerstøttemedarbeider: not that role
        "itm",
        "the manager of my project said no",
        "",
    ],
)
def test_unknown_roles_give_no_role(matcher: RoleMatcher, text: str) -> None:
    assert roles(matcher, text) == ()


def test_a_short_word_before_a_name_is_not_a_typo_of_its_first_word() -> None:
    """"do support specialists" is three edits from "it support specialist", but a typo keeps
    a name's first letter; "it suport specialist" is still a typo of it."""
    support = RoleMatcher({"helpdesk-specialist": {"en": ["IT support specialist"]}})
    assert roles(support, "what do support specialists earn") == ()
    assert roles(support, "what do it suport specialsts earn") == ("helpdesk-specialist",)


def test_a_persian_plural_written_apart_still_names_the_role() -> None:
    """"تکنسین‌های ICT" (ICT technicians): folding writes the plural ending apart."""
    ict = RoleMatcher({"ict-service-technician": {"fa": ["تکنسین ICT"]}})
    assert roles(ict, "تکنسین‌های ICT کجا کار میکنن") == ("ict-service-technician",)
    assert roles(ict, "تکنسین های ict") == ("ict-service-technician",)


def test_an_inflected_form_needs_an_ending_after_the_stem() -> None:
    """"IT leaders" is the alias inflected; "it lead" (in "will it lead anywhere?") is the
    alias cut short, another word."""
    leader = RoleMatcher({"it-project-manager": {"en": ["IT leader"]}})
    assert roles(leader, "do the it leaders earn more") == ("it-project-manager",)
    assert roles(leader, "will it lead anywhere") == ()


def test_alias_claimed_by_two_roles_equally_is_ignored() -> None:
    m = RoleMatcher({"a": {"en": ["support"]}, "b": {"en": ["support"]}})
    assert m.find(["support"]) == []


def test_mask_replaces_each_mention_with_one_placeholder(matcher: RoleMatcher) -> None:
    words = folded("what does an IT project manager earn").split()
    assert mask(words, matcher.find(words)) == ["what", "does", "an", MASK, "earn"]


def test_match_remembers_alias_languages(matcher: RoleMatcher) -> None:
    (match,) = matcher.find(folded("ikt-servicemedarbeidar").split())
    assert match.langs == frozenset({"nn"})


def _typos(word: str) -> list[str]:
    """One deletion, insertion, substitution and transposition at each position of ``word``."""
    out = []
    for i in range(len(word)):
        out += [word[:i] + word[i + 1:], word[:i] + "q" + word[i:], word[:i] + "x" + word[i + 1:]]
        if i + 1 < len(word):
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    return out


def test_fuzzy_filters_lose_no_match_and_no_hit(matcher: RoleMatcher) -> None:
    """The letter-set and length tests only skip pairs out of reach: every key (typos of the
    aliases, two typos, unrelated words, Persian) gets exactly the aliases a plain OSA scan of
    every alias finds; and no key skipped by the first-letters test had a look-up hit."""
    from array import array

    from rapidfuzz.distance import OSA

    from bot.nlu.roles import HEAD, max_edits

    keys = {t for alias in matcher.fuzzy_keys for t in _typos(alias)}
    keys |= {t for alias in matcher.fuzzy_keys[:5] for one in _typos(alias) for t in _typos(one)}
    keys |= {"salaryoftheproject", "whatdoesanitprojectmanagerdo", "مدیرپروژهفناوری", "zzzzzz"}
    keys = {k for k in keys if len(k) <= matcher.longest}
    ordered = sorted(keys)
    found = matcher._fuzzy(ordered, array("Q", (sum({matcher._letters.get(c, 1 << 63) for c in k})
                                               for k in ordered)), remember=False)
    expected = 0
    for key in keys:
        scan = tuple((alias, n) for alias in matcher.fuzzy_keys
                     if abs(len(alias) - len(key)) <= 3
                     and (n := OSA.distance(key, alias)) <= max_edits(min(len(key), len(alias))))
        assert found[key] == scan, key
        expected += bool(scan)
    assert expected > len(keys) // 3  # the typos are found, so the check compares real hits
    skipped = [k for k in keys if k[:HEAD] not in matcher._heads]
    assert skipped and all(matcher._lookup(k)[1] == "" for k in skipped)
    prefixes = [alias[:cut] for alias in matcher.keys for cut in range(1, len(alias) + 1)]
    assert all(k[:HEAD] in matcher._heads for k in prefixes if matcher._lookup(k)[1])
