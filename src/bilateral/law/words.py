"""The law's own words for the values its rules name, in English and in French.

Topics of official contact, humanitarian categories of goods and tariff treatments are
codes in the law data ("consular_relations", "food", "MFN"); an answer says them in its
reader's language: the engine in the reasons it gives, the faces in their sentences.
"""

from __future__ import annotations

from bilateral.law.model import HumanitarianCategory, Treatment

# topic code → (English, French), with the article a French sentence needs
TOPICS = {
    "consular_relations": ("consular relations", "les relations consulaires"),
    "human_rights": ("human rights", "les droits de la personne"),
    "democratic_development": ("democratic development", "le développement démocratique"),
    "international_security": ("international security", "la sécurité internationale"),
    "regional_security": ("regional security", "la sécurité régionale"),
    "humanitarian_situation": ("the humanitarian situation", "la situation humanitaire"),
    "inter_korean_relations": ("inter-Korean relations", "les relations intercoréennes"),
    "trade_and_investment": ("trade and investment", "le commerce et l'investissement"),
    "culture_and_education": ("culture and education", "la culture et l'éducation"),
    "political_relations": ("political relations", "les relations politiques"),
    "defence_cooperation": ("defence cooperation", "la coopération en matière de défense"),
}

# Notices to Exporters 148 and 172 (as the permit office's forms name them)
CATEGORIES = {
    HumanitarianCategory.FOOD: ("food", "aliments"),
    HumanitarianCategory.CLOTHING: ("clothing", "vêtements"),
    HumanitarianCategory.MEDICINES: ("medicines", "médicaments"),
    HumanitarianCategory.MEDICAL_SUPPLIES: ("medical supplies", "fournitures médicales"),
    HumanitarianCategory.INFORMATION_MATERIAL: (
        "information material",
        "documents d'information",
    ),
    HumanitarianCategory.CASUAL_GIFTS: ("casual gifts", "cadeaux occasionnels"),
    HumanitarianCategory.PERSONAL_EFFECTS: ("personal effects", "effets personnels"),
}

# Customs Tariff abbreviations, English and French (s. 2 and the French consolidation)
TREATMENTS = {
    Treatment.MFN: ("MFN", "NPF"),
    Treatment.GPT: ("GPT", "TPG"),
    Treatment.LDCT: ("LDCT", "TPMD"),
    Treatment.GT: ("GT", "TG"),
}


def topic(code: str) -> tuple[str, str]:
    """A topic of contact in English and in French (an unknown code as written)."""
    plain = code.replace("_", " ")
    return TOPICS.get(code, (plain, plain))
