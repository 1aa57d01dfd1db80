"""How an invitation greets its contact, as French public correspondence does. Pure.

« Monsieur le Maire », « Madame la Présidente », « Madame la Directrice générale des services »:
the civility and the function's title, without its complement (« Maire de Garches » → « Monsieur le
Maire », « Présidente de l'Association des maires » → « Madame la Présidente »), the title agreeing
with the civility (« Mme », « Président » → « Madame la Présidente »). Never the name: « Bonjour
M. Loïc Guérin » is what a mail merge writes, not a mayor's office.

Decisions where usage varies:

- Only the titles of an office take the form « Madame la … » (elected offices, directors,
  presidents, prefects: :data:`OFFICES`). An agent's function (« Chargée de mission », « Cheffe de
  projet ») is not a title one addresses: « Madame, » / « Monsieur, ».
- A known civility without a function of office gives « Madame, » or « Monsieur, »; an unknown or
  unusual civility (empty, « Dr », « M. ou Mme »), with or without a function, gives « Madame,
  Monsieur, »: the title alone cannot say whether to write « le » or « la ».
- The feminine of « Maire » is « Madame la Maire » (the usage of the ministries and of the
  Association des maires de France since the 2019 guide), not « Madame le Maire ».
- The complement is cut at the first « de », « du », « d' », comma, « et », dash or parenthesis:
  « des » stays (« Directrice générale des services » is one title), so do « à » and « au »
  (« Adjointe au maire », « Adjoint à la culture »).
- English (``locale="en"``): « Dear Mayor », « Dear President », « Dear Senator », « Dear
  Prefect » for the offices that have an English form of address, whatever the civility (they
  need none); otherwise « Dear Madam », « Dear Sir », or « Dear Madam or Sir ».

The salutation comes without its comma: templates add the punctuation.
"""

from __future__ import annotations

import re
import unicodedata

FEMALE, MALE = "f", "m"

# Normalised civility (lower case, no dots or spaces) -> gender.
CIVILITIES = {
    "m": MALE,
    "mr": MALE,
    "monsieur": MALE,
    "mme": FEMALE,
    "madame": FEMALE,
    "mlle": FEMALE,  # « Mademoiselle » is no longer used in official letters: « Madame »
    "mademoiselle": FEMALE,
}

# The first word of a title of office, without accents -> (masculine, feminine) as written.
OFFICES = {
    "maire": ("maire", "maire"),
    "adjoint": ("adjoint", "adjointe"),
    "adjointe": ("adjoint", "adjointe"),
    "president": ("président", "présidente"),
    "presidente": ("président", "présidente"),
    "vice-president": ("vice-président", "vice-présidente"),
    "vice-presidente": ("vice-président", "vice-présidente"),
    "conseiller": ("conseiller", "conseillère"),
    "conseillere": ("conseiller", "conseillère"),
    "directeur": ("directeur", "directrice"),
    "directrice": ("directeur", "directrice"),
    "depute": ("député", "députée"),
    "deputee": ("député", "députée"),
    "senateur": ("sénateur", "sénatrice"),
    "senatrice": ("sénateur", "sénatrice"),
    "prefet": ("préfet", "préfète"),
    "prefete": ("préfet", "préfète"),
    "sous-prefet": ("sous-préfet", "sous-préfète"),
    "sous-prefete": ("sous-préfet", "sous-préfète"),
    "recteur": ("recteur", "rectrice"),
    "rectrice": ("recteur", "rectrice"),
    "delegue": ("délégué", "déléguée"),
    "deleguee": ("délégué", "déléguée"),
    "ministre": ("ministre", "ministre"),
    "secretaire": ("secrétaire", "secrétaire"),  # only « secrétaire général(e) », see below
}
# Words after the first that agree with the civility.
AGREEING = {
    "general": ("général", "générale"),
    "generale": ("général", "générale"),
    "adjoint": ("adjoint", "adjointe"),
    "adjointe": ("adjoint", "adjointe"),
    "delegue": ("délégué", "déléguée"),
    "deleguee": ("délégué", "déléguée"),
    "municipal": ("municipal", "municipale"),
    "municipale": ("municipal", "municipale"),
    "departemental": ("départemental", "départementale"),
    "departementale": ("départemental", "départementale"),
    "regional": ("régional", "régionale"),
    "regionale": ("régional", "régionale"),
    "territorial": ("territorial", "territoriale"),
    "territoriale": ("territorial", "territoriale"),
    "principal": ("principal", "principale"),
    "principale": ("principal", "principale"),
}
# Offices addressed in English by their title alone.
ENGLISH_OFFICES = {
    "maire": "Mayor",
    "president": "President",
    "presidente": "President",
    "senateur": "Senator",
    "senatrice": "Senator",
    "prefet": "Prefect",
    "prefete": "Prefect",
}

# Where the complement starts: « de », « du », « d' », « et », a comma, a dash, a parenthesis.
COMPLEMENT = re.compile(
    r"\s+(?:de|du|et)\s.*|\s+d['’].*|\s*[,(/;].*|\s+[-–—]\s.*", re.DOTALL | re.IGNORECASE
)
VOWELS = "aeiouyàâäéèêëîïôöûüÿœæ"


def plain(text: str) -> str:
    """Lower case without accents: how titles and civilities are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def gender_of(civility: str) -> str | None:
    """« M. », « M », « Monsieur », « Mme », « Madame »... or None when it does not say."""
    return CIVILITIES.get(re.sub(r"[\s.]", "", plain(civility)))


def title_of(function: str, gender: str) -> str | None:
    """The title of office in ``function``, agreeing with ``gender``, without its complement:
    « Présidente de l'Association des maires » → « présidente »; None for other functions."""
    head = COMPLEMENT.sub("", " ".join(function.split()))
    words = head.split(" ")
    if not words or not words[0]:
        return None
    first = plain(words[0])
    if first not in OFFICES:
        return None
    if first == "secretaire" and (len(words) < 2 or plain(words[1]) not in ("general", "generale")):
        return None
    index = 1 if gender == FEMALE else 0
    shout = function.isupper()  # « MAIRE DE GARCHES » as some files have it
    agreed = [OFFICES[first][index]]
    for word in words[1:]:
        forms = AGREEING.get(plain(word))
        agreed.append(forms[index] if forms else (word.lower() if shout else word))
    return " ".join(agreed)


def salutation(civility: str, function: str, locale: str = "fr") -> str:
    """The greeting of a letter, without its comma: « Monsieur le Maire », « Madame, Monsieur »
    (see the module's text for the rules); ``locale`` "en" gives the English form."""
    gender = gender_of(civility or "")
    if locale.split("_")[0].split("-")[0] == "en":
        return _english(gender, function or "")
    if gender is None:
        return "Madame, Monsieur"
    title = title_of(function or "", gender)
    honorific = "Madame" if gender == FEMALE else "Monsieur"
    if title is None:
        return honorific
    article = "l'" if title[0] in VOWELS else ("la " if gender == FEMALE else "le ")
    return f"{honorific} {article}{title[0].upper()}{title[1:]}"


def _english(gender: str | None, function: str) -> str:
    head = COMPLEMENT.sub("", " ".join(function.split())).split(" ")
    if len(head) == 1 and plain(head[0]) in ENGLISH_OFFICES:
        return f"Dear {ENGLISH_OFFICES[plain(head[0])]}"
    if gender == FEMALE:
        return "Dear Madam"
    if gender == MALE:
        return "Dear Sir"
    return "Dear Madam or Sir"
