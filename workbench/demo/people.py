"""Who lives on the demo platform: countries, languages, names in native scripts, cities,
plausible phone numbers, IP ranges, currencies and devices.

Names are common given and family names; display names use the native script where one is
usual (Japanese, Korean, Thai, Devanagari, Urdu), handles and e-mail addresses a Latin spelling.
E-mail addresses only use the reserved domains example.com / example.org / example.net.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    code: str
    language: str
    weight: int
    currency: str
    # phone: E.164 prefix (with country code and any fixed national digits) + random digits
    phone_prefixes: tuple[str, ...]
    phone_digits: int
    cities: tuple[str, ...]
    ip_octets: tuple[int, ...]  # first octets of this country's consumer IP ranges
    first: tuple[tuple[str, str], ...]  # (native, latin)
    last: tuple[tuple[str, str], ...]
    family_first: bool = False  # display name order (ja, ko)
    joiner: str = " "


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        "en",
        22,
        "USD",
        ("+1212", "+1310", "+1415", "+1646", "+1312", "+1617", "+1305", "+1512"),
        7,
        ("New York", "Los Angeles", "Chicago", "Houston", "Seattle", "Miami"),
        (23, 24, 50, 63, 66, 68, 71, 73, 76, 98),
        (
            ("James", "james"),
            ("Emily", "emily"),
            ("Michael", "michael"),
            ("Olivia", "olivia"),
            ("David", "david"),
            ("Ashley", "ashley"),
            ("Chris", "chris"),
            ("Jessica", "jessica"),
        ),
        (
            ("Smith", "smith"),
            ("Johnson", "johnson"),
            ("Brown", "brown"),
            ("Miller", "miller"),
            ("Davis", "davis"),
            ("Wilson", "wilson"),
            ("Moore", "moore"),
            ("Taylor", "taylor"),
        ),
    ),
    Country(
        "GB",
        "en",
        8,
        "GBP",
        ("+44740", "+44770", "+44771", "+44772", "+44780"),
        7,
        ("London", "Manchester", "Leeds", "Glasgow", "Bristol"),
        (81, 86, 92),
        (
            ("Oliver", "oliver"),
            ("Amelia", "amelia"),
            ("Harry", "harry"),
            ("Isla", "isla"),
            ("George", "george"),
            ("Poppy", "poppy"),
        ),
        (
            ("Jones", "jones"),
            ("Evans", "evans"),
            ("Walker", "walker"),
            ("Wright", "wright"),
            ("Hughes", "hughes"),
            ("Green", "green"),
        ),
    ),
    Country(
        "ES",
        "es",
        6,
        "EUR",
        ("+346",),
        8,
        ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao"),
        (79, 83, 88),
        (
            ("Lucía", "lucia"),
            ("Hugo", "hugo"),
            ("Martina", "martina"),
            ("Pablo", "pablo"),
            ("Carmen", "carmen"),
            ("Javier", "javier"),
        ),
        (
            ("García", "garcia"),
            ("Martínez", "martinez"),
            ("López", "lopez"),
            ("Sánchez", "sanchez"),
            ("Pérez", "perez"),
            ("Gómez", "gomez"),
        ),
    ),
    Country(
        "MX",
        "es",
        8,
        "MXN",
        ("+5255", "+5233", "+5281"),
        8,
        ("Ciudad de México", "Guadalajara", "Monterrey", "Puebla"),
        (187, 189, 201),
        (
            ("Sofía", "sofia"),
            ("Santiago", "santiago"),
            ("Valentina", "valentina"),
            ("Mateo", "mateo"),
            ("Ximena", "ximena"),
            ("Diego", "diego"),
        ),
        (
            ("Hernández", "hernandez"),
            ("Ramírez", "ramirez"),
            ("Flores", "flores"),
            ("Torres", "torres"),
            ("Cruz", "cruz"),
            ("Morales", "morales"),
        ),
    ),
    Country(
        "BR",
        "pt",
        10,
        "BRL",
        ("+55119", "+55219", "+55319", "+55419"),
        8,
        ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Salvador"),
        (177, 179, 186, 191),
        (
            ("Ana", "ana"),
            ("João", "joao"),
            ("Beatriz", "beatriz"),
            ("Lucas", "lucas"),
            ("Larissa", "larissa"),
            ("Gabriel", "gabriel"),
        ),
        (
            ("Silva", "silva"),
            ("Santos", "santos"),
            ("Oliveira", "oliveira"),
            ("Souza", "souza"),
            ("Costa", "costa"),
            ("Pereira", "pereira"),
        ),
    ),
    Country(
        "PT",
        "pt",
        3,
        "EUR",
        ("+3519",),
        8,
        ("Lisboa", "Porto", "Braga", "Coimbra"),
        (85, 89),
        (
            ("Inês", "ines"),
            ("Tiago", "tiago"),
            ("Mariana", "mariana"),
            ("Rui", "rui"),
            ("Leonor", "leonor"),
        ),
        (
            ("Ferreira", "ferreira"),
            ("Rodrigues", "rodrigues"),
            ("Almeida", "almeida"),
            ("Carvalho", "carvalho"),
            ("Ribeiro", "ribeiro"),
        ),
    ),
    Country(
        "FR",
        "fr",
        7,
        "EUR",
        ("+336", "+337"),
        8,
        ("Paris", "Lyon", "Marseille", "Toulouse", "Lille"),
        (78, 82, 90),
        (
            ("Camille", "camille"),
            ("Louis", "louis"),
            ("Chloé", "chloe"),
            ("Hugo", "hugo"),
            ("Léa", "lea"),
            ("Antoine", "antoine"),
        ),
        (
            ("Martin", "martin"),
            ("Bernard", "bernard"),
            ("Dubois", "dubois"),
            ("Lefèvre", "lefevre"),
            ("Moreau", "moreau"),
            ("Laurent", "laurent"),
        ),
    ),
    Country(
        "DE",
        "de",
        7,
        "EUR",
        ("+49151", "+49160", "+49170", "+49176"),
        8,
        ("Berlin", "Hamburg", "München", "Köln", "Leipzig"),
        (84, 87, 91, 93),
        (
            ("Lena", "lena"),
            ("Jonas", "jonas"),
            ("Hannah", "hannah"),
            ("Felix", "felix"),
            ("Mia", "mia"),
            ("Lukas", "lukas"),
        ),
        (
            ("Müller", "mueller"),
            ("Schmidt", "schmidt"),
            ("Schneider", "schneider"),
            ("Fischer", "fischer"),
            ("Weber", "weber"),
            ("Becker", "becker"),
        ),
    ),
    Country(
        "JP",
        "ja",
        7,
        "JPY",
        ("+8190", "+8180", "+8170"),
        8,
        ("Tokyo", "Osaka", "Yokohama", "Nagoya", "Fukuoka"),
        (110, 114, 126),
        (
            ("翔太", "shota"),
            ("さくら", "sakura"),
            ("大輔", "daisuke"),
            ("美咲", "misaki"),
            ("健太", "kenta"),
            ("結衣", "yui"),
        ),
        (
            ("佐藤", "sato"),
            ("鈴木", "suzuki"),
            ("高橋", "takahashi"),
            ("田中", "tanaka"),
            ("伊藤", "ito"),
            ("渡辺", "watanabe"),
        ),
        family_first=True,
    ),
    Country(
        "KR",
        "ko",
        5,
        "KRW",
        ("+8210",),
        8,
        ("Seoul", "Busan", "Incheon", "Daegu"),
        (112, 121, 175),
        (
            ("민준", "minjun"),
            ("서연", "seoyeon"),
            ("지호", "jiho"),
            ("하은", "haeun"),
            ("도윤", "doyun"),
            ("지우", "jiwoo"),
        ),
        (
            ("김", "kim"),
            ("이", "lee"),
            ("박", "park"),
            ("최", "choi"),
            ("정", "jung"),
            ("강", "kang"),
        ),
        family_first=True,
        joiner="",
    ),
    Country(
        "TH",
        "th",
        5,
        "THB",
        ("+668", "+669", "+666"),
        8,
        ("Bangkok", "Chiang Mai", "Phuket", "Khon Kaen"),
        (115, 124, 171),
        (
            ("สมชาย", "somchai"),
            ("สุดา", "suda"),
            ("ธนากร", "thanakorn"),
            ("พิมพ์ชนก", "pimchanok"),
            ("อนันต์", "anan"),
            ("กมลา", "kamala"),
        ),
        (
            ("ศรีสุข", "srisuk"),
            ("วงศ์ใหญ่", "wongyai"),
            ("แสงทอง", "saengthong"),
            ("บุญมา", "boonma"),
            ("ใจดี", "jaidee"),
            ("รักไทย", "rakthai"),
        ),
    ),
    Country(
        "IN",
        "hi",
        8,
        "INR",
        ("+919", "+918", "+917"),
        9,
        ("Delhi", "Lucknow", "Jaipur", "Patna", "Bhopal"),
        (103, 106, 117, 122),
        (
            ("आरव", "aarav"),
            ("प्रिया", "priya"),
            ("रोहन", "rohan"),
            ("अनन्या", "ananya"),
            ("विकास", "vikas"),
            ("पूजा", "pooja"),
        ),
        (
            ("शर्मा", "sharma"),
            ("वर्मा", "verma"),
            ("गुप्ता", "gupta"),
            ("सिंह", "singh"),
            ("यादव", "yadav"),
            ("मिश्रा", "mishra"),
        ),
    ),
    Country(
        "PK",
        "ur",
        4,
        "PKR",
        ("+9230", "+9231", "+9233", "+9234"),
        8,
        ("Karachi", "Lahore", "Islamabad", "Faisalabad"),
        (39, 119, 182),
        (
            ("احمد", "ahmed"),
            ("عائشہ", "ayesha"),
            ("علی", "ali"),
            ("فاطمہ", "fatima"),
            ("بلال", "bilal"),
            ("زینب", "zainab"),
        ),
        (
            ("خان", "khan"),
            ("ملک", "malik"),
            ("قریشی", "qureshi"),
            ("چوہدری", "chaudhry"),
            ("شیخ", "sheikh"),
            ("بٹ", "butt"),
        ),
    ),
)

BY_CODE = {c.code: c for c in COUNTRIES}

# Countries seen only in logins while travelling, and their IP octets (kept apart from homes).
TRAVEL = (("IT", 151), ("NL", 145), ("CA", 142), ("AE", 94), ("TR", 176), ("SG", 116))
# Where attackers and the ring log in from: ranges no ordinary member ever uses.
HOSTILE = (("NG", 41), ("GH", 102), ("RO", 185), ("VN", 14))

EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

DEVICES = (  # (os, model, user agent)
    ("ios", "iPhone 13", "Workbench/5.12 (iPhone14,5; iOS 17.5)"),
    ("ios", "iPhone 15", "Workbench/5.12 (iPhone15,4; iOS 18.1)"),
    ("android", "Pixel 7", "Workbench/5.12 (Linux; Android 14; Pixel 7)"),
    ("android", "Galaxy S23", "Workbench/5.12 (Linux; Android 14; SM-S911B)"),
    ("android", "Redmi Note 12", "Workbench/5.11 (Linux; Android 13; 23021RAAEG)"),
    (
        "web",
        "Chrome",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    ),
    (
        "web",
        "Safari",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15",
    ),
)

OCCUPATIONS = (
    "nurse",
    "engineer",
    "teacher",
    "designer",
    "student",
    "chef",
    "accountant",
    "musician",
    "photographer",
    "sales",
    "developer",
    "pharmacist",
)
LOOKING_FOR = ("relationship", "friendship", "casual", "not sure")
GENDER_IDENTITIES = ("woman", "man", "non-binary", "trans woman", "trans man", "genderqueer")
ORIENTATIONS = ("straight", "gay", "lesbian", "bisexual", "pansexual", "asexual", "queer")
HEALTH_NOTES = (
    "Living with type 1 diabetes.",
    "HIV-positive, undetectable.",
    "Managing anxiety, happy to talk about it.",
    "Wheelchair user.",
    "Recovering from cancer treatment.",
    "Deaf, I use sign language.",
)
