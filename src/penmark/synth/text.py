"""Random but plausible text: names, dates, amounts, addresses, legal prose.

The detector must learn *handwriting vs print*, not *which words*, so printed and handwritten
content are drawn from the same pools (names, dates and amounts appear both typed and written).
"""

from __future__ import annotations

import random

FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony "
    "Betty Mark Margaret Donald Sandra Steven Ashley Paul Kimberly Andrew Emily Joshua Donna "
    "Kenneth Michelle Kevin Carol Brian Amanda George Melissa Edward Deborah Ronald Stephanie "
    "Phyllis Lawrence Debra Walter Gloria Harold Frances Raymond Ruth Eugene Joan Carl Evelyn "
    "Pierre Marie Hans Greta Luis Ana Rajesh Priya Wei Mei Ahmed Fatima Kofi Ama Olga Ivan"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts McDonald Nimmo "
    "Sarmiento O'Brien Kowalski Dubois Schneider Rossi Tanaka Sharma Okafor Petrov Andersen"
).split()
STREETS = (
    "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Bishop Montgomery Central Market "
    "Church Mill River Spring Sunset Lincoln Jefferson Madison Franklin Highland Broad"
).split()
STREET_TYPES = ("Street", "St.", "Ave", "Avenue", "Road", "Rd", "Blvd", "Drive", "Dr.", "Lane")
CITIES = (
    ("Honolulu", "HI"), ("San Francisco", "CA"), ("Yuma", "AZ"), ("Camp Verde", "AZ"),
    ("Denver", "CO"), ("Austin", "TX"), ("Richmond", "VA"), ("Portland", "OR"), ("Boise", "ID"),
    ("Atlanta", "GA"), ("Columbus", "OH"), ("Raleigh", "NC"), ("Albany", "NY"), ("Tampa", "FL"),
    ("Madison", "WI"), ("Reno", "NV"), ("Omaha", "NE"), ("Louisville", "KY"),
)
COMPANY_A = (
    "Pacific Atlantic Summit Bristol Waterfront Pioneer Liberty Granite Cedar Harbor"
).split()
COMPANY_B = "Holdings Properties Realty Partners Group Industries Associates Management".split()
COMPANY_C = ("LLC", "Inc.", "Co.", "Corp.", "L.P.", "Ltd.")
TITLES = (
    "President", "Vice President", "Managing Partner", "Contracting Officer", "Director",
    "Lease Contracting Officer", "Chief Financial Officer", "Secretary", "Treasurer", "Witness",
    "Executive Vice President", "Manager", "Owner", "Attorney-in-Fact",
)
MONTHS = (
    "January February March April May June July August September October November December"
).split()
WORDS = (
    "the lessor shall lessee premises government agreement lease rent payable term hereby "
    "accordance provided herein said party parties space building square feet rental rate "
    "annual monthly notice days within following conditions services utilities maintenance "
    "repairs required written consent tenant improvements option renew termination effective "
    "date contract shall be subject to all terms and conditions of this the of to and in for "
    "on by with as at from that which any such other may will not or an each under all its "
    "office use occupancy described above attached exhibit schedule amendment supplemental "
    "original include including without limitation payment amount total account received "
    "please find enclosed regarding your letter dated request information review meeting "
    "report results program product marketing research committee board members approved"
).split()
NOTE_PHRASES = (
    "ok", "OK per call", "see attached", "approved", "please review", "call me", "fyi",
    "noted", "paid", "received", "void", "copy to file", "per our discussion", "urgent",
    "revised", "N/A", "yes", "no", "done", "thanks!", "sign here", "initial here", "ck #",
    "pls. return", "file", "draft", "confirm date", "cc: legal", "see p. 2", "as amended",
)


def name(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    r = rng.random()
    if r < 0.25:
        return f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
    if r < 0.35:
        return f"{first[0]}. {last}"
    if r < 0.42:
        return f"{last}, {first}"
    return f"{first} {last}"


def initials(rng: random.Random) -> str:
    n = rng.choice((2, 2, 2, 3))
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTW") for _ in range(n))
    if rng.random() < 0.3:
        return ".".join(letters) + "."
    return letters


def date(rng: random.Random) -> str:
    y = rng.randint(1960, 2025)
    m = rng.randint(1, 12)
    d = rng.randint(1, 28)
    yy = y % 100
    fmt = rng.randrange(9)
    if fmt == 0:
        return f"{m}/{d}/{yy:02d}"
    if fmt == 1:
        return f"{m:02d}/{d:02d}/{y}"
    if fmt == 2:
        return f"{MONTHS[m - 1]} {d}, {y}"
    if fmt == 3:
        return f"{MONTHS[m - 1][:3]}. {d}, {y}"
    if fmt == 4:
        return f"{d}.{m}.{y}"
    if fmt == 5:
        return f"{d} {MONTHS[m - 1]} {y}"
    if fmt == 6:
        return f"{d}-{MONTHS[m - 1][:3]}-{yy:02d}"
    if fmt == 7:
        return f"{y}-{m:02d}-{d:02d}"
    return f"{MONTHS[m - 1].upper()} {d}, {y}"


def amount(rng: random.Random) -> str:
    v = rng.choice((rng.randint(1, 99), rng.randint(100, 9999), rng.randint(1000, 250000)))
    cents = rng.randint(0, 99)
    s = f"{v:,}" if rng.random() < 0.7 else str(v)
    r = rng.random()
    if r < 0.4:
        return f"${s}.{cents:02d}"
    if r < 0.6:
        return f"{s}.{cents:02d}"
    if r < 0.75:
        return f"${s}.00"
    if r < 0.85:
        return f"{s}/-"
    return f"{s}.{cents:02d}"


_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "\
    "fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10 - 2] + ("-" + _ONES[n % 10] if n % 10 else "")
    if n < 1000:
        return _ONES[n // 100] + " hundred" + (" " + number_words(n % 100) if n % 100 else "")
    rest = " " + number_words(n % 1000) if n % 1000 else ""
    return number_words(n // 1000) + " thousand" + rest


def amount_words(rng: random.Random) -> str:
    v = rng.choice((rng.randint(1, 999), rng.randint(1000, 99999)))
    s = number_words(v)
    s = s[0].upper() + s[1:] if rng.random() < 0.6 else s
    return s + rng.choice((" only", " and 00/100", " dollars", "", " Dollars only"))


def address_lines(rng: random.Random) -> list[str]:
    city, st = rng.choice(CITIES)
    street = f"{rng.randint(1, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"
    lines = [street]
    if rng.random() < 0.3:
        lines.append(f"Suite {rng.randint(100, 2400)}")
    lines.append(f"{city}, {st} {rng.randint(10000, 99999)}")
    return lines


def company(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {rng.choice(COMPANY_C)}"


def sentence(rng: random.Random, lo: int = 8, hi: int = 22) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    s = " ".join(words)
    return s[0].upper() + s[1:] + rng.choice((".", ".", ".", ";", ","))


def paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 6)) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(*sentences)))


def short_phrase(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.25:
        return rng.choice(NOTE_PHRASES)
    if r < 0.45:
        return date(rng)
    if r < 0.65:
        return name(rng)
    if r < 0.8:
        return amount(rng)
    if r < 0.9:
        return address_lines(rng)[0]
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))


def fill_value(rng: random.Random, label: str) -> str:
    """A plausible handwritten value for a form field with printed ``label``."""
    low = label.lower()
    if "words" in low:
        return amount_words(rng)
    if "date" in low:
        return date(rng)
    if "amount" in low or "rent" in low or "$" in low or "total" in low or "rate" in low:
        return amount(rng)
    if "name" in low or "by" == low.strip(": ") or "witness" in low or "payee" in low:
        return name(rng)
    if "address" in low or "street" in low:
        return address_lines(rng)[0]
    if "city" in low:
        c, s = rng.choice(CITIES)
        return f"{c}, {s}"
    if "title" in low:
        return rng.choice(TITLES)
    if "phone" in low or "tel" in low:
        return f"({rng.randint(200, 999)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    if "no." in low or "number" in low or "#" in low:
        return f"{rng.randint(1, 99999)}"
    if "sq" in low or "feet" in low:
        return f"{rng.randint(100, 40000):,}"
    return short_phrase(rng)
