"""HS sections in both languages (short titles), and the edition of the HS for a year."""

from __future__ import annotations

from bilateral.goods import hs

# Short titles of the 21 sections (WCO), English and French.
SECTIONS: dict[str, tuple[str, str]] = {
    "I": ("Live animals; animal products", "Animaux vivants et produits du règne animal"),
    "II": ("Vegetable products", "Produits du règne végétal"),
    "III": ("Animal or vegetable fats and oils", "Graisses et huiles animales ou végétales"),
    "IV": (
        "Prepared foodstuffs; beverages; tobacco",
        "Produits des industries alimentaires; boissons; tabacs",
    ),
    "V": ("Mineral products", "Produits minéraux"),
    "VI": ("Chemical products", "Produits des industries chimiques"),
    "VII": ("Plastics and rubber", "Matières plastiques et caoutchouc"),
    "VIII": ("Hides, skins and leather", "Peaux, cuirs et pelleteries"),
    "IX": ("Wood and articles of wood", "Bois et ouvrages en bois"),
    "X": ("Pulp, paper and paperboard", "Pâtes de bois, papier et carton"),
    "XI": ("Textiles", "Matières textiles"),
    "XII": ("Footwear and headgear", "Chaussures et coiffures"),
    "XIII": ("Stone, ceramic and glass", "Ouvrages en pierres, céramique et verre"),
    "XIV": ("Pearls, precious stones and metals", "Perles, pierres et métaux précieux"),
    "XV": ("Base metals", "Métaux communs"),
    "XVI": ("Machinery and electrical equipment", "Machines et appareils électriques"),
    "XVII": ("Vehicles, aircraft and vessels", "Matériel de transport"),
    "XVIII": (
        "Optical, medical and precision instruments",
        "Instruments d'optique, médicaux et de précision",
    ),
    "XIX": ("Arms and ammunition", "Armes et munitions"),
    "XX": ("Miscellaneous manufactured articles", "Marchandises et produits divers"),
    "XXI": ("Works of art and antiques", "Objets d'art et antiquités"),
}

# WCO editions of the HS by year of entry into force (Comtrade's H0 to H6).
EDITION_YEARS: tuple[tuple[int, str], ...] = (
    (1988, "HS1988"),
    (1996, "HS1996"),
    (2002, "HS2002"),
    (2007, "HS2007"),
    (2012, "HS2012"),
    (2017, "HS2017"),
    (2022, "HS2022"),
)
COMTRADE_CLASSIFICATIONS = {
    "H0": "HS1988",
    "H1": "HS1996",
    "H2": "HS2002",
    "H3": "HS2007",
    "H4": "HS2012",
    "H5": "HS2017",
    "H6": "HS2022",
}


def edition_for_year(year: int) -> str:
    found = EDITION_YEARS[0][1]
    for start, name in EDITION_YEARS:
        if start <= year:
            found = name
    return found


def section_of_chapter(chapter: str) -> str | None:
    """The section of an HS chapter (stable across editions; 77 is reserved)."""
    return hs.editions()[0].sections.get(chapter)


def section_name(section: str, lang: str) -> str:
    en, fr = SECTIONS.get(section, (section, section))
    return fr if lang == "fr" else en


def heading_name(code: str) -> str:
    """The (English) description of an HS chapter, heading or subheading in HS2012."""
    for edition in hs.editions():
        if code in edition.codes:
            return edition.codes[code]
    return ""
