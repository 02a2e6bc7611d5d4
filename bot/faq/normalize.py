"""Fold Georgian script, Mtavruli and Latin translit into one comparable key.

Georgian letters and their Latin spellings (national romanisation and keyboard habits) map to
one phonetic skeleton, so "ქუთაისი", "ᲥᲣᲗᲐᲘᲡᲘ", "qutaisi" and "kutaisi" all read "kutaisi".
English is folded by the same rules; that is harmless because queries and phrasings are folded
alike.
"""

from __future__ import annotations

import re
import unicodedata

# Georgian letter → skeleton. Upper-case Latin letters stand for digraph sounds (input is
# casefolded first, so they cannot collide with typed letters).
_GEORGIAN = {
    "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t", "ი": "i",
    "კ": "k", "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p", "ჟ": "j", "რ": "r", "ს": "s",
    "ტ": "t", "უ": "u", "ფ": "p", "ქ": "k", "ღ": "g", "ყ": "k", "შ": "S", "ჩ": "C", "ც": "c",
    "ძ": "Z", "წ": "c", "ჭ": "C", "ხ": "x", "ჯ": "j", "ჰ": "h", "ჱ": "e", "ჲ": "i", "ჳ": "u",
    "ჴ": "x", "ჵ": "o", "ჶ": "p", "ჷ": "e", "ჸ": "", "ჹ": "", "ჺ": "",
}
_GEORGIAN_TABLE = str.maketrans(_GEORGIAN)

# "tsh" is t + sh ("baghdatshi", "botshi"), not ts + h; "tch" is ჭ ("tchiri").
_DIGRAPHS = re.compile(r"tsh|tch|sh|ch|ts|tz|dz|zh|kh|gh|th|ph")
_DIGRAPH_MAP = {"tsh": "tS", "tch": "C", "sh": "S", "ch": "C", "ts": "c", "tz": "c", "dz": "Z",
                "zh": "j", "kh": "x", "gh": "g", "th": "t", "ph": "p"}
# Digits typed for letters inside a word: 3 = ძ ("3aan", "3ma"), 4 = ჩ ("4emi"). Not in
# numbers or ordinals ("2023", "3rd", "4th").
_DIGIT_LETTER = re.compile(r"(?<=[a-z])[34](?=[a-z])|(?<![\w])[34](?=[a-z]{2})(?!rd|th)")
_DIGIT_MAP = {"3": "Z", "4": "C"}
# Single Latin letters whose chat habit is a Georgian sound: q=ქ, w=წ, y=ყ, f=ფ.
_LATIN_TABLE = str.maketrans({"q": "k", "w": "c", "y": "k", "f": "p"})

# Keyboard-layout capitals inside a word: "mWirdeba" (მჭირდება), "marTavs", "urtiertobaSi",
# "Rონ…". Only after a lower-case letter, so "SAD ARIS" or a capitalised first word stay Latin.
_KEYBOARD = re.compile(r"(?<=[a-z])[WRSTZJC]")
_KEYBOARD_MAP = {"W": "ჭ", "R": "ღ", "S": "შ", "T": "თ", "Z": "ძ", "J": "ჟ", "C": "ჩ"}
# A keyboard capital at a word's start ("Ronisdziebebis", "Sexvedra") cannot be told from an
# ordinary capital ("Registration", "Sad aris"): `keyboard_reading` offers the other reading and
# the matcher keeps, word by word, whichever the content knows better.
_KEYBOARD_START = re.compile(r"(?<![^\W\d_])[WRSZC](?=[a-z]{2})")

_APOSTROPHES = re.compile(r"[’'`´ʼ‘]")
_NON_WORD = re.compile(r"[^\w]+|_")
# A Georgian case ending hyphened to a Latin name or number is grammar: "BMZ-ის", "PR-ში".
_LATIN_SUFFIX = re.compile(r"([a-z0-9]+)[-‐‑][\u10d0-\u10ff]{1,6}(?!\w)")
# A short first part joined by a hyphen is one word: "e-mail", "ელ-ფოსტა", "pr-ში".
_SHORT_HYPHEN = re.compile(r"(?<!\w)([^\W\d_]{1,3})[-‐‑](?=[^\W\d_])")
_REPEATS = re.compile(r"(.)\1{2,}")
_DOUBLES = re.compile(r"(\D)\1+")
_LONG_WORD = re.compile(r"\w{4,}")
_GEORGIAN_CHAR = re.compile(r"[\u10a0-\u10ff\u1c90-\u1cbf\u2d00-\u2d2f]")


def has_georgian(text: str) -> bool:
    """True if the text contains Georgian script (any case)."""
    return bool(_GEORGIAN_CHAR.search(text))


def clean(text: str) -> str:
    """Casefold (Mtavruli → Mkhedruli), drop accents and punctuation, squeeze spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if unicodedata.category(ch) != "Mn")
    text = _APOSTROPHES.sub("", text)
    text = _LATIN_SUFFIX.sub(r"\1", text)
    text = _SHORT_HYPHEN.sub(r"\1", text)
    text = _NON_WORD.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text)
    return " ".join(text.split())


def fold(text: str) -> str:
    """The phonetic skeleton of a text, for matching."""
    text = _KEYBOARD.sub(lambda m: _KEYBOARD_MAP[m.group()], text)
    text = clean(text)
    text = _DIGIT_LETTER.sub(lambda m: _DIGIT_MAP[m.group()], text)
    text = _DIGRAPHS.sub(lambda m: _DIGRAPH_MAP[m.group()], text)
    text = text.translate(_LATIN_TABLE).translate(_GEORGIAN_TABLE)
    # Doubled letters are mostly typos ("adress"/"address", "ოფისსი", "forrum"): squeeze them.
    # Short words keep theirs ("off" is not "of").
    return _LONG_WORD.sub(lambda m: _DOUBLES.sub(r"\1", m.group()), text)


def keyboard_reading(text: str) -> str | None:
    """The text with word-initial keyboard capitals read as Georgian letters, if it has any."""
    if not _KEYBOARD_START.search(text):
        return None
    return _KEYBOARD_START.sub(lambda m: _KEYBOARD_MAP[m.group()], text)


# Georgian endings on a folded word, outermost first: "also"/"is" particles, postpositions, case
# endings. ქუთაისშიც → kutais; ხონის, ხონში, ხონშიც → xon. (Long words need none of this: a
# long common prefix already makes them one stem, see the matcher.)
_PARTICLES = ("c",)
_POSTPOSITIONS = ("tvis", "Si", "ze", "tan", "dan", "gan", "mde", "ken", "vit")
_CASES = ("is", "it", "ad", "ma", "i", "s", "m", "o", "a")
_BARE_STEM = ("Si", "ze")
MIN_STEM = 3


def stem(word: str) -> str:
    """The word without Georgian endings, keeping at least `MIN_STEM` letters (folded input)."""
    after = ""
    for endings in (_PARTICLES, _POSTPOSITIONS, _CASES):
        if endings is _CASES and after in _BARE_STEM:
            continue  # ქუთაის-ში: -ში and -ზე follow the bare stem, no case ending to strip
        for ending in endings:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
                word, after = word[:-len(ending)], ending
                break
    return word


# ---------------------------------------------------------------------------------------------
# Word classes for matching. Lists are written in ordinary spelling (English, Georgian script,
# chat translit) and folded at import, so every spelling of a word lands on the same key.

# Function words, pronouns, auxiliaries, greetings and politeness: they say nothing about what
# the question is about, so they are ignored (unless a text has nothing else).
_STOP_EN = """
a an the this that these those there here it its it's is are was were be been being am
i i'm im me my mine we we're us our ours you you're your yours he she his her they them their
do does did done doing have has had having can could would should will shall may might must
to of in on at for from with by about as into onto over under than then so too very also
and or but if not no yes ok okay just really actually any some all anything something
one ones much many more most other else
what what's whats which how how's hows whom whose
please pls plz thanks thank thx ty hi hello hey hiya dear sir madam greetings good morning
evening afternoon regards sorry excuse
tell say said know let give show want wanted like need needs needed get got getting
find see look view make go going gonna wanna explain describe
yet already again before after until now right exactly even maybe perhaps possible possibly able
kindly basically guys team something anything everything someone anyone somebody anybody
thing things lot lots way
btw honestly curious wondering wonder hopefully
small big little new old good best better great nice few every each same different own sure
today tomorrow tonight yesterday nobody everyone everybody anyone next nearest
don't dont doesn't didn't isn't aren't can't cannot won't anymore
"""
_STOP_KA = """
მე შენ ის ეს ეგ იგი ჩვენ თქვენ ისინი ესენი მას მან მათ მათი ამ იმ ამის იმის ამას იმას ამით
ჩემი ჩემს ჩემო ჩემმა ჩემთვის შენი მისი ჩვენი ჩვენს ჩვენმა ჩვენთვის თქვენი თქვენს თქვენმა
თქვენთვის მისთვის მათთვის
არის არ არა ვარ ხარ ხართ ვართ არიან იყო იყავი იქნება იქნებიან ყოფილა
შეიძლება შემიძლია შეგვიძლია შეგიძლია შეგიძლიათ შეუძლია შეუძლიათ შესაძლებელია
მინდა გვინდა გინდა გინდათ უნდა უნდათ მსურს გვსურს
მაქვს გვაქვს გაქვს გაქვთ აქვს აქვთ
და თუ ან რომ ხომ კი ჰო ხო არც ოღონდ მაგრამ მაინც უკვე აქ იქ ძალიან ასევე ზე
რა რას რამ რაიმე რამე როგორ როგორი რომელი რომელ რომელიც ვინმე რამდენიმე
გამარჯობა გამარჯობათ სალამი მოგესალმებით გთხოვთ გეთაყვა მადლობა მადლობთ გმადლობთ
დიდი დიდ ბოდიში კარგი კარგით ოკ
მითხარით მითხარი მითხარ მომიყევით მომიყევი მიამბეთ მიამბე მაჩვენე მაჩვენეთ
მომწერეთ მომწერე მომეცი მომეცით
ახლა კიდევ ისევ მერე ზუსტად ალბათ იქნებ საერთოდ რაღაც რამე ყველა ყველაფერი სადმე
როდესმე უბრალოდ ნუ აბა აი ძაან კაი ხოლმე მაინტერესებს გვაინტერესებს
მჭირდება გვჭირდება ვნახო ვნახოთ ვიპოვო ვიპოვოთ
დღეს ხვალ გუშინ ამაღამ პატარა ახალი ძველი ცუდი ბევრი ცოტა ყველაზე უახლოესი შემდეგი
"""
_STOP_TRANSLIT = """
me shen is es eg igi chven tqven isini eseni mas man mat mati am im amis imis amas imas amit
chemi chems chemo chemma chemtvis sheni misi chveni chvens chvenma chventvis tqveni tqvens
tqvenma tqventvis mistvis mattvis
aris ar ara var xar xart vart arian iyo iyavi iqneba iqnebian yofila
sheidzleba shemidzlia shegvidzlia shegidzlia shegidzliat sheudzlia sheudzliat shesadzlebelia
minda gvinda ginda gindat unda undat msurs gvsurs
maqvs gvaqvs gaqvs gaqvt aqvs aqvt
da tu an rom xom ki ho xo arc oghond magram mainc ukve aq iq dzalian aseve ze
ra ras ram raime rame rogor rogori romeli romel romelic vinme ramdenime
gamarjoba gamarjobat salami mogesalmebit gtxovt getaqva madloba madlobt gmadlobt
didi did bodishi kargi kargit ok
mitxarit mitxari mitxar momiyevit momiyevi miambet miambe machvene machvenet
momweret momwere momeci momecit
axla kidev isev mere zustad albat iqneb saertod raghac rame yvela yvelaferi sadme
rodesme ubralod nu aba ai
dzaan dzan mdlb mdlbt gtx gtxt kai xolme mainteresebs gvainteresebs
mchirdeba gvchirdeba mWirdeba gvWirdeba vnaxo vnaxot vipovo vipovot
dghes xval gushin amagham patara axali dzveli cudi bevri cota yvelaze uaxloesi shemdegi
"""
# Question words that do carry a topic (where → the office, when → events or answers, who →
# the operator or funders, why → accountability): kept, but weigh less than content words.
_INTERROGATIVE = """
where when who why
სად როდის ვინ რატომ რისთვის სადაა სადაც როდისაა
sad rodis vin ratom ristvis sadaa rodisaa
"""


def _fold_list(words: str) -> frozenset[str]:
    return frozenset(w for raw in words.split() for w in fold(raw).split())


STOP_WORDS = _fold_list(_STOP_EN + _STOP_KA + _STOP_TRANSLIT)
ENGLISH_STOP_WORDS = _fold_list(_STOP_EN)
GEORGIAN_STOP_WORDS = _fold_list(_STOP_KA + _STOP_TRANSLIT)
INTERROGATIVES = _fold_list(_INTERROGATIVE) - STOP_WORDS

CONTENT, QUESTION, STOP = "content", "question", "stop"


def word_class(word: str) -> str:
    """CONTENT, QUESTION (a meaningful question word) or STOP, for a folded word."""
    if word in INTERROGATIVES:
        return QUESTION
    if word in STOP_WORDS or word.isdigit() and len(word) < 2:
        return STOP
    return CONTENT


def words_for_matching(folded: str) -> list[tuple[str, str]]:
    """The distinct words of a folded text worth matching, each with its class.

    Stop words are dropped; a text made only of stop words keeps them all (as CONTENT), so
    "hello" or "who are you" still has something to compare.
    """
    words = list(dict.fromkeys(folded.split()))
    kept = [(w, word_class(w)) for w in words]
    kept = [(w, c) for w, c in kept if c != STOP]
    return kept or [(w, CONTENT) for w in words]
