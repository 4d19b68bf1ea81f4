"""What the engine reports besides intent and role: pay slices, details, dialogue markers,
jobs we do not cover, Finglish, languages we do not speak. Phrasings of our own (the independent
set measures the rest)."""

from __future__ import annotations

from functools import lru_cache

import pytest

from bot.config import PROJECT_ROOT
from bot.content.catalog import load_catalog
from bot.nlu.engine import Engine, build_engine
from bot.nlu.finglish import loose_lookup, loose_table
from bot.nlu.result import LangHints, PaySlice

ICT, PM, USS, HD, ITSM = ("ict-service-technician", "it-project-manager",
                          "user-support-specialist", "helpdesk-specialist", "it-service-manager")


@lru_cache(maxsize=1)
def engine() -> Engine:
    return build_engine(PROJECT_ROOT / "intents", load_catalog(PROJECT_ROOT / "content"))


@pytest.mark.parametrize(("text", "pay"), [
    ("median monthly pay for women working part-time in private companies",
     PaySlice(sector="private", hours="part_time", gender="women", stat="median",
              period="monthly")),
    ("gjennomsnittlig årslønn med overtid i staten", PaySlice(sector="state", stat="mean",
                                                            period="yearly", overtime=True)),
    ("vidējā stundas alga vīriešiem", PaySlice(gender="men", stat="mean", period="hourly")),
    ("کمترین حقوق سالانه", PaySlice(stat="lowest", period="yearly")),
    # Overtime named without "with": the figures with it; a negation is longer and wins.
    ("snittet i staten, og da regner jeg overtida", PaySlice(sector="state", stat="mean",
                                                          overtime=True)),
    ("the median not counting overtime", PaySlice(stat="median", overtime=False)),
    ("vidējā alga, skaitot virsstundas", PaySlice(stat="mean", overtime=True)),
    # Finglish pay words and Norwegian "om året".
    ("miangin hoghooghe zanan dar sal chande?", PaySlice(gender="women", stat="mean",
                                                        period="yearly")),
    ("hva tjener en IKT-servicemedarbeider om året", PaySlice(period="yearly")),
    # "overall" right before a sector qualifies that sector's figure.
    ("and the overall state figure?", PaySlice(sector="state")),
    # A year said as a span of time ("over a whole year") is the yearly figure.
    ("what's that over a whole year?", PaySlice(period="yearly")),
    ("kor mykje blir det på eit år?", PaySlice(period="yearly")),
    ("cik tas ir par visu gadu?", PaySlice(period="yearly")),
    ("توی یک سال چقدر میشه؟", PaySlice(period="yearly")),
])
def test_pay_dimensions(text: str, pay: PaySlice) -> None:
    assert engine().parse(text).pay == pay


@pytest.mark.parametrize(("text", "aspect"), [
    ("is a helpdesk specialist allowed to work from home sometimes", "workplace.remote"),
    ("kor gamle er eigentleg dei tala du viste?", "overview.source_date"),
    ("hvilken kode har IT-prosjektleder i yrkesregisteret?", "overview.job_titles"),
    ("what's the code number for an IT project manager?", "overview.job_titles"),
    ("jobber IKT-servicemedarbeidere nattskift?", "workplace.shifts"),
    ("vai lietotāju atbalsta speciālistam jāzina ITIL?", "certifications.itil"),
    ("آیا هوش مصنوعی جای کارشناس پشتیبانی را می‌گیرد؟", "outlook.ai"),
    ("er lønna før eller etter skatt for en brukerstøttespesialist", "salary.tax"),
    # A short follow-up that names a detail twice or by a phrase is about it, whatever topic
    # the classifier (which never saw those words) prefers.
    ("er det brutto eller netto?", "salary.tax"),
    ("is that before or after tax?", "salary.tax"),
    # "How long to become X": years of experience when X is a step of a career ladder, the
    # length of the education when X is the job itself.
    ("how long does it take to become a senior support technician?", "career.years"),
    ("how long does it take to become a helpdesk specialist?", "education.duration"),
    # A currency question is a pay detail, in a follow-up's few words too.
    ("which currency is it in?", "salary.currency"),
    # Two details named: the one of the topic the message reads as wins over a longer cue of
    # another ("get in" is also how people ask about starting without experience).
    ("which university programmes make it easier to get in?", "education.degree"),
    ("hvilke fag på universitetet gjør det lettere å komme inn?", "education.degree"),
    # Where people in the job work, asked with "kor" (dialect "where") or "where can he get".
    ("kor jobbar IKT-servicemedarbeidarar?", "workplace.employers"),
    ("kvar kan ho få seg jobb som prosjektleiar?", "workplace.employers"),
    ("hvor kan han få seg jobb som IKT-servicemedarbeider?", "workplace.employers"),
    # A problem too hard for them: is it passed on?
    ("what happens when an issue is too complicated for the helpdesk?", "duties.escalation"),
    ("ko dara, ja kļūda ir pārāk sarežģīta?", "duties.escalation"),
    # Competition is many candidates, not the candidates an interviewer asks questions.
    ("how many candidates apply for each helpdesk job?", "outlook.competition"),
    # Afraid of being stuck in the job for ever: where it leads.
    ("is helpdesk a dead end?", "career.next_role"),
    ("blir man sittende fast i brukerstøtte for alltid?", "career.next_role"),
    ("vai lietotāju atbalstā var iestrēgt uz visiem laikiem?", "career.next_role"),
    # Who wrote what the bot says is its source.
    ("and who wrote the text you're based on?", "overview.source"),
    ("hvem har skrevet teksten du bygger på?", "overview.source"),
    ("uz ko tu balsties, kas to rakstīja?", "overview.source"),
    ("این متن رو کی نوشته؟", "overview.source"),
])
def test_details(text: str, aspect: str) -> None:
    assert engine().parse(text).aspect == aspect


def test_follow_up_correction_and_role_only() -> None:
    and_for = engine().parse("and what about an IT service manager?")
    assert and_for.follow_up and and_for.role_only and and_for.role == ITSM
    meant = engine().parse("no sorry, I meant the project manager")
    assert meant.correction and meant.role_only and meant.role == PM
    persian = engine().parse("برای مدیر پروژه IT چطور؟")
    assert persian.follow_up and persian.role_only
    # "X چطور؟" (how about X?): the question word only continues as the last word.
    how_about = engine().parse("کارشناس هلپ دسک چطور؟")
    assert how_about.follow_up and how_about.role_only
    opens = engine().parse("چطور میتونم مدیر پروژه بشم؟")
    assert not opens.follow_up and not opens.role_only
    question = engine().parse("what does an IT service manager do all day?")
    assert not question.follow_up and not question.role_only
    sorry = engine().parse("atvainojiet, es domāju IT projektu vadītāju")
    assert sorry.correction and sorry.role_only and sorry.role == PM
    # Answers to "which role do you mean?" that point at one: only the role.
    norwegian = engine().parse("den norske, IKT-servicemedarbeideren")
    assert norwegian.role_only and norwegian.role == ICT
    assert engine().parse("that one, the IT project manager").role_only


@pytest.mark.parametrize("text", [
    "what is the average wage of that group with overtime?",
    "kor mykje tener dei same folka i kommunen?",
    "kāda ir vidējā alga tiem pašiem cilvēkiem?",
    "میانگین حقوق همون گروه چقدره؟",
])
def test_pointing_back_at_the_group_asked_about_continues_the_question(text: str) -> None:
    assert engine().parse(text).follow_up


def test_norwegian_but_is_no_english_men() -> None:
    assert engine().parse("same lønn, men i staten?").pay == PaySlice(sector="state")
    assert engine().parse("what do men earn in the state sector").pay == \
        PaySlice(sector="state", gender="men")


@pytest.mark.parametrize("text", [
    "so who gets paid more?", "un kur pelna vairāk?", "kur ir augstāka alga?",
    "و کدوم درآمد بیشتری داره؟"])
def test_a_comparative_asks_about_the_two_just_compared(text: str) -> None:
    assert engine().parse(text).both, text


@pytest.mark.parametrize(("text", "job"), [
    ("what does a dentist earn", "dentist"),
    ("kva gjer ein sjukepleiar?", "sjukepleiar"),
    ("کارشناس فروش چه کار می‌کند؟", "کارشناس فروش"),
    ("hva tjener en cybersikkerhetsanalytiker", "cybersikkerhetsanalytiker"),
    ("یه طراح UX چقدر درآمد داره؟", "طراح ux"),
    ("cik pelna UI dizainers Rīgā?", "ui dizainers"),
    ("project manager in a construction company, what do they do", None),
    # A service technician in another trade ("technician" holds "tech" but is no IT word;
    # "serviceteknikar" ends in the inflected generic title "teknikar*").
    ("what does a dishwasher service technician earn", None),
    ("hva gjør en servicetekniker for hvitevarer?", None),
    ("kva tener ein serviceteknikar offshore?", None),
])
def test_jobs_we_do_not_cover(text: str, job: str | None) -> None:
    parse = engine().parse(text)
    assert parse.intent == "out_of_scope" and parse.role is None, parse
    if job is not None:
        assert parse.occupation == job


def test_a_compound_ends_in_a_job_only_in_its_own_language() -> None:
    """"-programmer" is a Norwegian plural (programs), not the English job."""
    parse = engine().parse("hvilke fjernstøtteprogrammer brukes i jobben?")
    assert parse.occupation is None and parse.intent == "tools", parse


def test_our_roles_are_never_taken_for_other_jobs() -> None:
    for text, role in [("what does a helpdesk specialist earn", HD),
                       ("کارشناس پشتیبانی فنی چه کار می‌کند؟", HD),
                       ("do IT project managers work in construction?", PM),
                       ("kā kļūt par lietotāju atbalsta speciālistu", USS),
                       ("kva tener ein IKT-servicemedarbeidar offshore?", ICT),
                       ("what does a tech support specialist do at a helpdesk", HD)]:
        parse = engine().parse(text)
        assert parse.role == role and parse.occupation is None, (text, parse)


def test_a_career_step_names_its_ladders_role() -> None:
    parse = engine().parse("how many years until I am a support team supervisor?")
    assert parse.role == HD and parse.intent == "career"
    # Named without its field, as people do: "senior technician", "تکنسین ارشد".
    for text in ("is a senior technician paid more?", "تکنسین ارشد کجا کار می‌کنه؟"):
        short = engine().parse(text)
        assert short.role == HD and short.step == "senior_support_technician", short
    # A short form that would leave a function word, or only role-name words, is none.
    assert engine().parse("teamleder for prosjektet").step is None


def test_finglish_is_read_as_persian() -> None:
    hello = engine().parse("salam khubi?")
    assert hello.finglish and hello.lang == "fa" and hello.intent == "greeting"
    pay = engine().parse("hoghoogh poshtibani fani cheghadre")
    assert pay.lang == "fa" and pay.intent == "salary" and pay.role == HD
    english = engine().parse("what is the salary in toman or rial?")
    assert not english.finglish and english.lang == "en"
    # Currency names alone are no Finglish: an English chat's "toman or rial?" stays English.
    short = engine().parse("toman or rial?", LangHints(chat="en"))
    assert not short.finglish and short.lang == "en", short
    assert engine().parse("toman ya rial?").lang == "fa"
    # The ezafe ("-e") Persian script leaves unwritten: "kar-e", "dastmozde" read as their stem.
    ezafe = engine().parse("dastmozde poshtibani fani chande?")
    assert ezafe.finglish and ezafe.lang == "fa" and ezafe.intent == "salary"
    assert engine().parse("tafavote helpdesk ba it service manager chiye").lang == "fa"
    # "che" (what) and "to" (in) between English job terms and a city: still Persian.
    mixed = engine().parse("certificate baraye it service manager to Riga che lazeme")
    assert mixed.finglish and mixed.lang == "fa", mixed
    assert engine().parse("how to prepare for a helpdesk interview in Tehran").lang == "en"
    # "too" (in) and "kojaha" (where) around English job words and a country.
    where = engine().parse("helpdesk specialist too Iran kojaha kar mikone?")
    assert where.finglish and where.lang == "fa", where
    assert engine().parse("is the helpdesk job in Iran too hard?").lang == "en"


@pytest.mark.parametrize(("text", "intent", "role"), [
    ("baraye modir poroje che ravahiati lazeme?", "qualities", PM),
    ("adam ba shakhsiyate daroongara be dard poshtibani fani mikhore?", "qualities", HD),
])
def test_finglish_personality_and_project_words(text: str, intent: str, role: str) -> None:
    """"shakhsiyat" (personality), "ravahiat" (temperament), "poroje" (project) are Persian."""
    parse = engine().parse(text)
    assert parse.finglish and (parse.lang, parse.intent, parse.role) == ("fa", intent, role), \
        parse


def test_finglish_ezafe_written_with_a_hyphen() -> None:
    path = engine().parse("pishraft-e shoghli-e poshtibani fani chetorie?")
    assert path.finglish and path.lang == "fa" and path.intent == "career", path
    assert "e" not in path.masked.split()
    # The written suffix "-i" on a listed word: "madraki" is مدرکی.
    degree = engine().parse("vase poshtibani fani madraki lazeme?")
    assert degree.finglish and "مدرکی" in degree.masked.split(), degree


def test_finglish_spellings_the_lexicon_does_not_list() -> None:
    """Finglish has no fixed spelling: "hoqughesh" and "hoghogesh" are the listed
    "hoghooghesh" (حقوقش); "narmafzarhaye" is the plural of the listed "narmafzar"."""
    for text in ("hoqughesh chandeh?", "hoghogesh cheqadreh?"):
        parse = engine().parse(text)
        assert parse.finglish and parse.lang == "fa" and parse.intent == "salary", (text, parse)
    tools = engine().parse("poshtibani fani ba che narmafzarhaye kar mikone?")
    assert tools.finglish and tools.intent == "tools" and tools.role == HD, tools
    assert "نرم افزار ها" in tools.masked


def test_a_finglish_spelling_shared_by_two_words_is_not_guessed() -> None:
    loose = loose_table({"hoghoogh": "حقوق", "hoqooq": "حقوق", "kare": "کاره", "kareh": "کره",
                         "ba": "با"})
    assert loose_lookup("hoghogh", loose) == "حقوق"  # two spellings of one word
    assert loose_lookup("karre", loose) is None  # "kare" and "kareh" are different words
    assert loose_lookup("baa", loose) is None  # too short to stand for a word
    assert loose_lookup("hoghooghha", loose) == "حقوق\u200cها"


def test_finglish_pronoun_suffix_after_a_hyphen() -> None:
    for text, intent in [("kar-esh chie?", "duties"), ("shoghl-esh sakhte?", "outlook")]:
        parse = engine().parse(text)
        assert parse.lang == "fa" and parse.intent == intent, (text, parse.intent)


def test_a_greeting_then_a_question_is_the_question() -> None:
    for text, intent in [("salam, karshenas poshtibani fani chi kar mikone?", "duties"),
                         ("hei, IKT-servicemedarbeider?", "overview")]:
        parse = engine().parse(text)
        assert parse.intent == intent, (text, parse.intent)
    assert engine().parse("hello helpdesk specialist").intent == "greeting"


def test_the_users_own_job_is_context_when_the_question_is_about_our_roles() -> None:
    mine = engine().parse("I work as a nurse. Of the five jobs, which one needs the least "
                          "education?")
    assert mine.occupation is None and mine.all_roles and mine.intent == "education", mine
    theirs = engine().parse("Do you know the pharmacist job? What do they earn?")
    assert theirs.intent == "out_of_scope" and theirs.occupation is not None


def test_arabic_is_not_taken_for_persian() -> None:
    arabic = engine().parse("ما هو راتب مدير المشاريع؟")
    assert arabic.foreign == "ar"
    # Persian typed on an Arabic keyboard (ي, ك, final ى, the article in البته) stays Persian.
    for persian in ("ميشه مدير تيم شد؟", "حقوق كارشناس helpdesk چقدره", "آيا كار شيفتي هست",
                    "مهارت‌هاى مدير فنى", "البته حقوق يك متخصص الكترونيك در لتوني خوب است؟"):
        parse = engine().parse(persian)
        assert parse.foreign is None and parse.lang == "fa", persian


def test_languages_we_do_not_speak() -> None:
    assert engine().parse("сколько зарабатывает специалист поддержки?").foreign == "ru"
    assert engine().parse("Wie viel verdient ein IT-Projektleiter in Deutschland?"
                          ).foreign == "de"
    # Norwegian or Latvian words with English job terms: the language of the sentence.
    assert engine().parse("er remote work vanlig for helpdesk?").lang == "nb"
    assert engine().parse("vai service desk managerim vajag certification?").lang == "lv"
    swedish = engine().parse("vilka utbildningar behöver en IT-projektledare?")
    assert swedish.foreign is None and swedish.lang == "nb"


def test_the_language_intent_needs_a_request_to_change() -> None:
    about_job = engine().parse("my English is weak, will that hurt me as a helpdesk specialist?")
    assert about_job.intent != "language"
    request = engine().parse("please reply in Latvian")
    assert request.intent == "language" and request.named_language == "lv"


def test_a_language_name_before_a_job_word_is_the_countrys_adjective() -> None:
    """"the Latvian job" points at a role; "reply in Latvian" asks for a language."""
    job = engine().parse("and is it the same for the Latvian job?")
    assert job.intent != "language" and job.named_language is None, job
    assert job.country == "latvia"
    one = engine().parse("what about the Norwegian one?")
    assert one.intent != "language" and one.named_language is None, one
    assert engine().parse("can you write in Latvian from now on?").named_language == "lv"


@pytest.mark.parametrize(("text", "wanted"), [
    ("answer in English, I cannot read Norwegian", "en"),
    ("ikkje engelsk, eg vil ha svar på nynorsk", "nn"),
    ("vari rakstīt latviski, nevis angliski?", "lv"),
    ("لطفاً فارسی بنویس، انگلیسی نمیفهمم", "fa"),
])
def test_of_two_languages_named_the_one_asked_for(text: str, wanted: str) -> None:
    assert engine().parse(text).named_language == wanted


def test_paid_out_is_the_pay_and_after_tax_the_tax() -> None:
    pay = engine().parse("kor mykje får ein IKT-servicemedarbeidar utbetalt i året?")
    assert pay.intent == "salary" and pay.aspect is None, pay
    assert engine().parse("hva får man utbetalt etter skatt?").aspect == "salary.tax"


def test_a_currency_named_after_a_country_names_no_country() -> None:
    kroner = engine().parse("kor mykje er det i norske kroner?")
    assert kroner.aspect == "salary.currency" and kroner.country is None, kroner
    assert engine().parse("kor mykje tener ein i Noreg?").country == "norway"


def test_support_work_named_alone_is_its_overview() -> None:
    parse = engine().parse("IT atbalsta speciāliste")
    assert parse.intent == "overview" and parse.local_role == USS, parse
    # With a question it is that question.
    assert engine().parse("cik pelna IT atbalsta speciāliste?").intent == "salary"


def test_across_all_roles() -> None:
    parse = engine().parse("which of them can be done remotely?")
    assert parse.all_roles and parse.role is None and parse.aspect == "workplace.remote"
    yours = engine().parse("which of your five jobs needs the least schooling?")
    assert yours.all_roles and yours.role is None, yours
    others = engine().parse("do the other jobs need a certificate too?")
    assert others.all_roles and others.intent == "certifications", others
    # "other jobs" alone is the next step of a career, not every role
    career = engine().parse("what other jobs could I move on to later?")
    assert not career.all_roles and career.intent == "career", career
    # "which jobs" asks for the role list unless the rest of the message names a topic.
    for text in ("which professions do you have anything on?", "kva for yrke kan du noko om?"):
        listing = engine().parse(text)
        assert listing.intent == "roles", (text, listing.intent)


@pytest.mark.parametrize(("text", "intent"), [
    ("tell me about the pay of an ICT service technician", "salary"),
    ("fortell litt om utdanningen til en IT-prosjektleder", "education"),
    ("pastāsti par IT pakalpojumu vadītāja izglītību", "education"),
    ("tell me about the helpdesk specialist", "overview"),
])
def test_tell_me_about_a_topic_is_that_topics_page(text: str, intent: str) -> None:
    """"Tell me about" reads as an overview by itself; the topic named beside it decides,
    without a "did you mean" between the two."""
    parse = engine().parse(text)
    assert parse.intent == intent and parse.broad and not parse.ambiguous, parse


@pytest.mark.parametrize(("text", "topic"), [
    ("sammenlign helpdesk-spesialist og IT-tjenesteleder når det gjelder utdanning",
     "education"),
    ("compare the ICT service technician and the IT project manager: the workplace",
     "workplace"),
    ("salīdzini helpdesk speciālistu un IT pakalpojumu vadītāju pēc izglītības", "education"),
])
def test_a_comparison_keeps_the_topic_it_names(text: str, topic: str) -> None:
    """The word "compare" outweighs a topic word for the classifier; the words besides the
    roles and the comparison still name what to compare."""
    parse = engine().parse(text)
    assert parse.intent == "compare" and len(parse.roles) == 2 and parse.about == topic, parse


def test_long_message_is_about_its_question() -> None:
    text = ("I'm 17 and I love helping my grandparents with their phones. My teacher says I "
            "should study IT. What would I earn as an ICT service technician?")
    parse = engine().parse(text)
    assert parse.intent == "salary" and parse.role == ICT


def test_a_role_named_only_in_the_context_is_not_compared() -> None:
    context = engine().parse("My brother has been a helpdesk specialist for years and likes "
                             "it. What does an IT project manager earn?")
    assert (context.intent, context.roles) == ("salary", (PM,))
    asked = engine().parse("I have been a helpdesk specialist for six years now. How does "
                           "that compare with an IT project manager?")
    assert asked.intent == "compare" and set(asked.roles) == {HD, PM}


def test_two_roles_a_move_or_a_choice() -> None:
    """One role becoming another is a career question about the first; two roles offered as
    alternatives ("X or Y, which ...?") are a comparison even with "which suits best"."""
    move = engine().parse("could a helpdesk specialist later become an IT service manager?")
    assert (move.intent, move.role) == ("career", HD), move
    choice = engine().parse("IT project manager or IT service manager, which fits a person "
                            "who loves order best?")
    assert choice.intent == "compare" and set(choice.roles) == {PM, ITSM}, choice


def test_review_cases_of_two_roles_and_details() -> None:
    """Found in review of the rules above: each must keep its meaning."""
    pay = engine().parse("who earns more part-time, a helpdesk specialist or an ICT service "
                         "technician?")
    assert pay.intent == "compare" and pay.about == "salary", pay
    implied = engine().parse("I like the helpdesk specialist job. Does an IT project manager "
                             "earn more?")
    assert implied.intent == "compare" and set(implied.roles) == {HD, PM}, implied
    tips = engine().parse("interview tips for night shift jobs?")
    assert tips.intent == "interview", tips
    english = engine().parse("tell me about helpdesk salary and skills in Norge")
    assert english.lang == "en", english


def test_a_message_of_4096_characters_is_understood() -> None:
    text = ("I have a long story. " * 180)[:3900] + " What does a helpdesk specialist earn?"
    parse = engine().parse(text[:4096])
    assert parse.intent == "salary" and parse.role == HD


def test_short_messages_get_their_language_without_hints() -> None:
    for text, lang in [("paldies", "lv"), ("sveiki!", "lv"), ("takk skal du ha", "nb"),
                       ("lønn?", "nb"), ("merci", "fa"),
                       # every known word Norwegian, though "tips" looks English to letters
                       ("jobbintervju tips?", "nb")]:
        parse = engine().parse(text, LangHints())
        assert parse.lang == lang, (text, parse.lang)


@pytest.mark.parametrize("text", ["hvor mange av dem er i staten?",
                                  "kor mange av dei jobbar i staten?"])
def test_how_many_in_a_sector_is_a_head_count_of_the_pay_table(text: str) -> None:
    """"hvor mange" is a question word and a head-count at once; with a sector named it reads
    the pay table's head-counts, not the employers' detail."""
    parse = engine().parse(text)
    assert parse.intent == "salary" and parse.aspect is None and parse.asks_amount, parse
    assert parse.pay.sector == "state"


@pytest.mark.parametrize("text", ["how many people is it based on?",
                                  "hvor mange personer er lønna basert på?",
                                  "hvor mange jobber som IKT-servicemedarbeider?",
                                  "how many people work as ICT service technicians?"])
def test_how_many_people_a_pay_cue_rests_on_is_a_head_count(text: str) -> None:
    """"based on" also asks what pay depends on; with "how many people" it asks how many
    people a figure rests on: the pay table's head-counts."""
    parse = engine().parse(text)
    assert parse.intent == "salary" and parse.aspect is None and parse.asks_amount, parse


@pytest.mark.parametrize("text", ["why is English needed?", "kāpēc angļu valoda?"])
def test_why_a_language_asks_about_the_language_skill_not_to_switch(text: str) -> None:
    """Asking why a language matters is no request to answer in it; asking for it is."""
    parse = engine().parse(text)
    assert (parse.intent, parse.aspect) == ("skills", "skills.english"), parse
    assert engine().parse("answer in English please").intent == "language"


def test_of_two_countries_the_one_the_question_points_at() -> None:
    """Context names one country, the question another (or "there", after it): the question's
    country decides, and with it which role support work is."""
    text = ("I grew up in Bergen and studied there. Now my partner got a job in Riga and we "
            "are moving. What would end user support work pay me over there?")
    p = engine().parse(text)
    assert p.country == "latvia" and p.role == "user-support-specialist", p
    asked = engine().parse("We live in Tehran now. Last year we were in Oslo. "
                           "How much does IT support pay in Norway?")
    assert asked.country == "norway" and asked.role == "ict-service-technician", asked


def test_user_support_work_in_norway_is_the_norwegian_support_role() -> None:
    """"IT user support" is support work, not the Latvian title: in Norway, the ICT service
    technician (whose pay table is that of ICT user support)."""
    p = engine().parse("what does IT user support pay in Norway?")
    assert p.role == "ict-service-technician", p


@pytest.mark.parametrize(("text", "role"), [
    ("is IT project management stressful?", "it-project-manager"),
    ("hva tjener man innen IT-prosjektledelse?", "it-project-manager"),
    ("kva lønn har ein i IT-tenesteforvaltning?", "it-service-manager"),
    ("kādas prasmes vajag IT projektu vadībā?", "it-project-manager"),
    ("برای مدیریت خدمات فناوری اطلاعات چه مهارتی لازمه؟", "it-service-manager"),
])
def test_the_fields_name_is_its_role(text: str, role: str) -> None:
    """"IT project management" is the IT project manager's work, not project management in
    general (a job the sources name as a next step, which would be another job)."""
    p = engine().parse(text)
    assert p.role == role and p.occupation is None, p


@pytest.mark.parametrize(("text", "role"), [
    ("hvor mye tjener en IT-tjenestesjef?", "it-service-manager"),
    ("kva gjer ein IT-servicesjef i løpet av veka?", "it-service-manager"),
    ("hur mycket tjänar man inom användarsupport i Lettland?", "user-support-specialist"),
    # "IKT" alone, and ICT support, is the one role with ICT in its name.
    ("timelønn ikt deltid", "ict-service-technician"),
    ("treng ein fagbrev for å jobbe med ikt?", "ict-service-technician"),
    ("what do ict support workers earn?", "ict-service-technician"),
])
def test_colloquial_and_swedish_names(text: str, role: str) -> None:
    """"-sjef" (boss) titles, and Swedish support work, which is answered in Norwegian."""
    assert engine().parse(text).role == role


@pytest.mark.parametrize("text", [
    "hva gjør en driftsleder på et lager?",
    "kor mykje tener ein driftsleiar?",
])
def test_operations_managers_are_another_job(text: str) -> None:
    p = engine().parse(text)
    assert p.intent == "out_of_scope" and p.role is None and p.occupation, p


@pytest.mark.parametrize(("text", "which_of"), [
    ("which of them is the most important?", True),
    ("hvilken av dem er viktigst?", True),
    ("kurš no tiem ir svarīgākais?", True),
    ("which of the five jobs needs the most education?", False),
    ("kva for jobbar av dei fem krev mest utdanning?", False),
    ("kurās no piecām profesijām vajag visvairāk izglītības?", False),
    ("kura no profesijām prasa visvairāk izglītības?", False),
])
def test_which_of_them_is_told_from_which_of_the_jobs(text: str, which_of: bool) -> None:
    """A bare "which of them" may point at a role's listed items; "which of the jobs" names
    the roles. Both still ask across all roles when nothing else is talked about."""
    p = engine().parse(text)
    assert p.all_roles and p.which_of == which_of, p


def test_a_persian_word_with_the_spoken_is_ending_is_still_that_word() -> None:
    """Spoken Persian joins "is" to the word ("دورکاریه" = "دورکاری است"): the lexicons read
    the word without it."""
    assert engine().parse("کار پشتیبانی فنی دورکاریه؟").aspect == "workplace.remote"
    assert engine().parse("حقوقش قبل از مالیاته؟").aspect == "salary.tax"


def test_english_for_the_job_is_the_english_detail() -> None:
    assert engine().parse("do I have to know English as a helpdesk specialist?").aspect \
        == "skills.english"


def test_a_latvian_comparison_between_men_and_women_is_the_gender_gap() -> None:
    """"vai sievietēm alga ir zemāka nekā vīriešiem?" compares the two: the gap."""
    p = engine().parse("vai sievietēm mēneša alga ir zemāka nekā vīriešiem?")
    assert p.aspect == "salary.gender_gap", p
    # "do women get less?" asks the gap, not the women's figure alone
    assert engine().parse("vai sievietes tur saņem mazāk?").aspect == "salary.gender_gap"


def test_support_work_and_sitting_at_home() -> None:
    """Latvian "atbalsta" (support's) with a topic word is the Latvian support role;
    commuting asks about remote work."""
    assert engine().parse("atbalsta darba alga?").local_role == "user-support-specialist"
    assert engine().parse("atbalsta izaugsme").local_role == "user-support-specialist"
    assert engine().parse("does an IT project manager have to commute to the office?"
                          ).aspect == "workplace.remote"


@pytest.mark.parametrize(("text", "pick"), [
    ("and the second?", "second"),
    ("den første: hvor mange prosent?", "first"),
    ("and what tools does the latter use?", "second"),
    ("what salary do you get in the first year?", None),
    ("hva gjør man den første tiden i jobben?", None),
    ("I'm torn between the IT project manager and the IT service manager. "
     "What does the first do?", "first"),
])
def test_a_bare_ordinal_picks_a_role_only_where_it_can_point_at_one(
        text: str, pick: str | None) -> None:
    """"The first" opening or closing a message, or beside two roles named, points at one
    of two roles; "in the first year" does not."""
    assert engine().parse(text).pick == pick


@pytest.mark.parametrize(("text", "role"), [
    ("support specialist latvia", "user-support-specialist"),
    ("it support i norge", "ict-service-technician"),
])
def test_support_work_and_a_country_alone_are_a_role_name(text: str, role: str) -> None:
    """Support work named generically with a country is that country's role, and nothing else
    asked: its overview, as for a role's own name."""
    p = engine().parse(text)
    assert (p.intent, p.role, p.role_only) == ("overview", role, True), p


@pytest.mark.parametrize(("text", "roles"), [
    # Generic support work beside a role named by its own words: the country's support role.
    ("Jeg vil jobbe med IT-support, altså som IKT-servicemedarbeider. Hva lærer man?",
     ("ict-service-technician",)),
    ("قبلا کارشناس پشتیبانی بودم. تو نروژ شغلی هست به اسم IKT-servicemedarbeider. چه ابزاری "
     "استفاده می‌کنن؟", ("ict-service-technician",)),
    # Set side by side, both are meant as named.
    ("IT-support eller IKT-servicemedarbeider, hva passer meg?",
     ("helpdesk-specialist", "ict-service-technician")),
])
def test_support_work_beside_a_named_role(text: str, roles: tuple[str, ...]) -> None:
    assert engine().parse(text).roles == roles


@pytest.mark.parametrize(("text", "intent"), [
    # One role and a detail, no comparison word: that role's detail.
    ("and the Iranian helpdesk - which majors help?", "education"),
    ("and the project manager: which university degree helps?", "education"),
    # With a comparison word it is a comparison.
    ("how does it compare with the helpdesk on degrees?", "compare"),
])
def test_one_role_and_a_detail_is_no_comparison(text: str, intent: str) -> None:
    assert engine().parse(text).intent == intent


def test_a_detail_phrase_ending_in_a_steps_first_word_leaves_the_step() -> None:
    """"become senior" (a career-years cue) runs into the step "senior support technician":
    the step is still named, not the generic "technician" read as the ICT technician."""
    p = engine().parse("how long until you become senior support technician?")
    assert (p.role, p.step, p.aspect) == (
        "helpdesk-specialist", "senior_support_technician", "career.years"), p


@pytest.mark.parametrize(("text", "intent", "role"), [
    # Swedish and Danish questions about our roles are read through their Bokmål words.
    ("vad tjänar en helpdesk-specialist?", "salary", "helpdesk-specialist"),
    ("vad gör en IT-projektledare om dagarna?", "duties", "it-project-manager"),
    # Another job's name is in no list of ours: still another job, not our pay question.
    ("hur mycket tjänar en sjuksköterska?", "out_of_scope", None),
])
def test_swedish_and_danish_are_read_as_bokmal(text: str, intent: str, role: str | None
                                               ) -> None:
    p = engine().parse(text)
    assert (p.intent, p.role, p.lang) == (intent, role, "nb"), p


@pytest.mark.parametrize("text", [
    "We are recruiting an IT service manager and I sit on the panel. What should I ask the "
    "candidates?",
    "which questions should I ask candidates for a helpdesk specialist post?",
])
def test_an_interviewers_candidates_are_no_competition(text: str) -> None:
    p = engine().parse(text)
    assert (p.intent, p.aspect) == ("interview", None), p


@pytest.mark.parametrize("text", [
    # "vai" also opens every Latvian yes/no question; "dette/this ... or" chooses nothing.
    "IT projektu vadītājs - vai šis darbs ir stresains?",
    "Cik pelna IT pakalpojumu vadītājs? Vai šī alga ir pirms nodokļiem?",
    "Er dette eller et annet helpdesk-yrke mulig uten utdanning?",
    "I like this or maybe IT project manager work, what skills do I need?",
    "مدیر پروژه IT یا این جور کارها درآمد خوبی داره؟",
])
def test_this_or_another_without_a_choice_is_no_comparison(text: str) -> None:
    assert engine().parse(text).intent != "compare"


@pytest.mark.parametrize(("text", "not_aspect"), [
    # Escalation is a problem too hard to solve, not a job or a study that is hard.
    ("Is the IT project manager education too difficult for a beginner?", "duties.escalation"),
    ("Vai IT projektu vadītāja darbs nav par grūtu iesācējam?", "duties.escalation"),
    ("آیا کار مدیر پروژه IT خیلی پیچیده است؟", "duties.escalation"),
    # A user stuck in a login loop, tickets that take forever: no career worry.
    ("What does a helpdesk specialist do when a user is stuck in a login loop?",
     "career.next_role"),
    ("My helpdesk tickets take forever, is that normal for a helpdesk specialist?",
     "career.next_role"),
])
def test_detail_phrases_do_not_fire_on_ordinary_sentences(text: str, not_aspect: str) -> None:
    assert engine().parse(text).aspect != not_aspect


@pytest.mark.parametrize("text", ["Hva tjener en IKT-rådgiver?", "kva tener ein IKT-konsulent?"])
def test_ict_compound_titles_are_other_jobs(text: str) -> None:
    p = engine().parse(text)
    assert p.intent == "out_of_scope" and p.role is None and p.occupation, p


@pytest.mark.parametrize(("text", "role"), [
    ("رشته‌م مهندسی کامپیوتره، به کارم میاد؟", None),
    ("I have a degree in software engineering, is that enough for helpdesk work?", None),
    ("Jeg har en bachelor i IKT, kan jeg bli IT-prosjektleder?", "it-project-manager"),
    ("Eg har ein master i IKT, kan eg bli IT-prosjektleiar?", "it-project-manager"),
])
def test_a_field_of_study_is_neither_another_job_nor_a_second_role(text: str,
                                                                   role: str | None) -> None:
    """"a degree in software engineering" names what the user studied: not a job we do not
    cover, and not a role to compare with the one asked about."""
    parse = engine().parse(text)
    assert parse.occupation is None and parse.intent != "out_of_scope", parse
    assert parse.intent != "compare" and (role is None or parse.roles == (role,)), parse


@pytest.mark.parametrize("text", [
    "I've been studying the IT project manager and IT service manager pages, which one pays "
    "better?",
    "Jeg har studert IT-prosjektleder og IT-servicemanager, hvilken passer best?",
    "رشته ی مدیر پروژه IT و مدیر خدمات IT رو مقایسه کن",
    "I have a degree in IT project management and IT service management, which suits me?",
])
def test_two_roles_named_together_after_a_study_word_are_both_kept(text: str) -> None:
    assert set(engine().parse(text).roles) == {PM, ITSM}


def test_a_job_asked_about_after_what_the_user_studied_is_still_another_job() -> None:
    parse = engine().parse("i studied nursing, what does a nurse earn?")
    assert parse.occupation == "nurse" and parse.intent == "out_of_scope", parse


@pytest.mark.parametrize("text", [
    "how much does that differ from the project manager's career?",
    "ligner det på jobben til en IT-prosjektleder?",
    "vai tas līdzinās IT projektu vadītāja darbam?",
])
def test_likeness_or_difference_with_one_role_is_a_comparison(text: str) -> None:
    """"is it similar to X?", "does it differ from X?" compare the role talked about with X."""
    parse = engine().parse(text)
    assert parse.intent == "compare" and parse.roles == (PM,), parse


@pytest.mark.parametrize(("text", "role"), [
    ("teknikeren i Noreg, kva tener han?", ICT),
    ("speciālists Irānā, kāda alga?", HD),
    ("the manager in Norway, what does he earn?", None),
])
def test_a_title_word_and_a_country_name_that_countrys_support_role(text: str,
                                                                    role: str | None) -> None:
    """"the technician in Norway" is the Norwegian source's role when its name holds the word;
    a manager in Norway could be either manager, so it stays unnamed."""
    assert engine().parse(text).role == role


def test_a_title_word_and_a_country_alone_name_only_the_role() -> None:
    """"و برای تکنسین نروژ؟" (and for the Norwegian technician?) names a role and nothing
    else: the dialogue asks the last question of it."""
    parse = engine().parse("و برای تکنسین نروژ؟")
    assert parse.role == ICT and parse.role_only, parse


@pytest.mark.parametrize("text", ["heistekniker i Norge, hva tjener han?",
                                  "what does an elevator technician earn in Norway?",
                                  "sales specialist in Iran salary"])
def test_a_title_word_of_another_trade_with_a_country_stays_another_job(text: str) -> None:
    parse = engine().parse(text)
    assert parse.role is None and parse.occupation, parse


@pytest.mark.parametrize("text", ["IKT-servicemedarbeider lønn totalt alle sektorer",
                                  "ICT service technician pay: overall, all sectors?",
                                  "kopā visās nozarēs vidējā alga"])
def test_all_sectors_said_twice_is_all_sectors(text: str) -> None:
    assert engine().parse(text).pay.sector == "all"


def test_all_sectors_and_another_named_apart_are_both_asked() -> None:
    parse = engine().parse("median for all sectors and for the private sector")
    assert parse.pay.sector == "all" and [p.sector for p in parse.pay_more] == ["private"]


@pytest.mark.parametrize("text", [
    "I'm looking for something similar to IT support. What does a user support specialist earn?",
    "Vai alga atšķiras no Rīgas un reģioniem lietotāju atbalsta speciālistam?",
])
def test_likeness_words_about_something_else_compare_nothing(text: str) -> None:
    assert engine().parse(text).intent != "compare"


@pytest.mark.parametrize("text", ["what code does an IT project manager write?",
                                  "which code languages should an ICT service technician know?"])
def test_code_written_is_no_occupation_code(text: str) -> None:
    assert engine().parse(text).aspect != "overview.job_titles"


@pytest.mark.parametrize("text", [
    "what does an ICT service technician earn after 12 months on the job?",
    "کارشناس هلپ دسک بعد از یک سال کار چقدر حقوق میگیره؟",
])
def test_after_a_year_is_no_yearly_figure(text: str) -> None:
    assert engine().parse(text).pay.period is None


@pytest.mark.parametrize("text", ["lurer litt på om IT-prosjektledere tjener bra, egentlig",
                                  "eg lurer litt på om IKT-servicemedarbeidarar har god løn "
                                  "eigentleg"])
def test_a_hedged_pay_question_is_about_pay(text: str) -> None:
    """"I'm wondering a bit whether ..., really": the hedge is no question about the job."""
    assert engine().parse(text).intent == "salary"


@pytest.mark.parametrize(("text", "role", "job"), [
    ("sveiki! man ir 30, strādāju veikalā. cik pelna atbalsta speciālists Latvijā?", USS, None),
    ("I worked in construction for years. What does an IT project manager do?", PM, None),
    ("prosjektleder i byggebransjen, hva tjener de?", None, "prosjektleder i byggebransjen"),
])
def test_a_trade_makes_a_title_another_job_only_in_the_same_sentence(
        text: str, role: str | None, job: str | None) -> None:
    """"I work in a shop. What does a support specialist earn?" asks about our role; a project
    manager in the building trade is another job."""
    parse = engine().parse(text)
    assert (parse.role, parse.occupation) == (role, job), parse


def test_how_many_women_work_in_a_job_is_still_the_gender_mix() -> None:
    parse = engine().parse("are there many women working as ICT service technicians?")
    assert parse.aspect == "workplace.gender_mix", parse
