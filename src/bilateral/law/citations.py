"""The law's English citations said in French citation style.

The law data cites provisions as the English consolidation writes them ("SOR/2020-214
s. 3.7(1) and (5), Schedule 4, Part 1") and names notices, policies and announcements in
English. A French reader sees them as the French consolidation writes them ("DORS/2020-214,
art. 3.7(1) et (5), annexe 4, partie 1") and by their French names: in the engine's French
caveats, and in every face that shows a citation.
"""

from __future__ import annotations

import functools
import re

# the instruments and provisions the law data names in English words (notices, policies,
# announcements): their French names, before the word-by-word citation style below
_NAMES_FR = [
    (r"\bNotice to Exporters and Brokers of ", "Avis aux exportateurs et aux courtiers du "),
    (r"\bNotice to Exporters No\. (\d+)", r"Avis aux exportateurs no \1"),
    (r"\bGAC announcement of ", "Annonce d'Affaires mondiales Canada du "),
    (
        r"\bGAC Canada-Belarus relations policy\b",
        "Politique d'Affaires mondiales Canada sur les relations Canada-Bélarus",
    ),
    (
        r"\bGAC DPRK controlled engagement policy\b",
        "Politique d'Affaires mondiales Canada d'engagement contrôlé avec la RPDC",
    ),
    (
        r"\bConsolidated Canadian Autonomous Sanctions List\b",
        "Liste consolidée des sanctions autonomes canadiennes",
    ),
    (
        r"\bAddress by Minister Cannon on measures against North Korea\b",
        "Allocution du ministre Cannon sur les mesures contre la Corée du Nord",
    ),
    (
        r"\bClosure of the Embassy of Belarus in Ottawa\b",
        "Fermeture de l'ambassade du Bélarus à Ottawa",
    ),
    (
        r"\bCredentials of the Canadian Ambassador presented\b",
        "Présentation des lettres de créance de l'ambassadeur du Canada",
    ),
    (r"\bExtension of the GPT\b", "Prorogation du TPG"),
    (r"\bExtension of the LDCT\b", "Prorogation du TPMD"),
    (
        r"\bInterim measure on export permits for non-ECL goods to Belarus\b",
        "Mesure provisoire sur les licences d'exportation de marchandises hors LMTEC vers le "
        "Bélarus",
    ),
    (
        r"\bRestriction of official contact with Belarusian authorities\b",
        "Restriction des contacts officiels avec les autorités bélarussiennes",
    ),
    (
        r"\bSuspension of new permits for controlled goods and technology to Belarus\b",
        "Suspension des nouvelles licences pour les marchandises et technologies contrôlées à "
        "destination du Bélarus",
    ),
    (
        r"\bSuspension of the accreditation process for ambassadors\b",
        "Suspension du processus d'accréditation des ambassadeurs",
    ),
    (r"\bWithdrawal of GPT and LDCT\b", "Retrait du TPG et du TPMD"),
    (r"\bWithdrawal of the MFN Tariff\b", "Retrait du tarif de la nation la plus favorisée"),
    (
        r"\bAmendments before the 2026 consolidation\b",
        "Modifications antérieures à la codification de 2026",
    ),
    (r"\bCountry field of the list's records\b", "Champ pays des inscriptions de la liste"),
    (
        r"\bRestricted Goods and Technologies List\b",
        "Liste des marchandises et technologies restreintes",
    ),
    (r"\bluxury goods \(text of 2006;", "produits de luxe (texte de 2006;"),
    (
        r"\bother prohibitions of the 2006 to 2016 text\b",
        "autres interdictions du texte de 2006 à 2016",
    ),
    (
        r"\bUN Security Council Consolidated List \(DPRK\)",
        "Liste récapitulative du Conseil de sécurité des Nations Unies (RPDC)",
    ),
    (r"\bwhole Regulations\b", "ensemble du règlement"),
    (r"\bhumanitarian needs\b", "besoins humanitaires"),
    (r"\bother applications\b", "autres demandes"),
    (r"\brepealed by\b", "abrogé par"),
    (r"\bfrom (\d{4}-\d{2}-\d{2})\)", r"à compter du \1)"),
]

_PROVISION_FR = [
    *_NAMES_FR,
    (
        r"\bthe List of Countries and Applicable Tariff Treatments\b",
        "la Liste des pays et des traitements tarifaires applicables",
    ),
    (
        r"\bList of Countries and Applicable Tariff Treatments\b",
        "Liste des pays et des traitements tarifaires applicables",
    ),
    (r"\(MFN column\)", "(colonne NPF)"),
    (r"\(designated person\)", "(personne désignée)"),
    (r"\btext of (\d{4}) to (\d{4})\b", r"texte de \1 à \2"),
    (r"\(text before (\d{4}-\d{2}-\d{2})\)", r"(texte antérieur au \1)"),
    # the notes some provisions carry
    (r"\(as amended, probably by\b", "(modifiée, probablement par"),
    (r"\bhistory note\b", "note historique"),
    (r"\(subject to s", "(sous réserve de l'art"),
    (
        r"\(coming into force\) — the former Customs Tariff, R\.S\.C\. ",
        "(entrée en vigueur) — l'ancien Tarif des douanes, L.R.C. ",
    ),
    (r"\(text of (\d{4}), replaced by\b", r"(texte de \1, remplacé par"),
    (r"\(aviation fuel\)", "(carburant aviation)"),
    (r"\(designated person\)", "(personne désignée)"),
    (r"\(text before (\d{4}-\d{2}-\d{2})\)", r"(texte antérieur au \1)"),
    (r"; earlier text secondary\)", "; texte antérieur : source secondaire)"),
    (r"\(from (\d{4}-\d{2}-\d{2});", r"(à compter du \1;"),
    (r'"eligible destination"', "« destination admissible »"),
    (r"\band the Schedule\b", "and l'annexe"),
    (r"\((DORS|SOR)/([\d-]+) to (DORS|SOR)/", r"(\1/\2 à \3/"),
    (r"\bLicensing policy\b", "Politique d'octroi des licences"),
    (r"\bhumanitarian goods\b", "marchandises humanitaires"),
    (r"\bother items\b", "autres marchandises"),
    (r"\bparas\. \(([a-z])\) to \(([a-z])\)", r"alinéas \1) à \2)"),
    (r"\bGroup (\d)\b", r"groupe \1"),
    (r"\bss?\.\s*", "art. "),
    (r"\bSchedules?\b", "annexe"),
    (r"\bParts?\b", "partie"),
    (r"\bitems?\b", "article"),
    (r"\bsubsection\b", "paragraphe"),
    (r"\bparagraph\b", "alinéa"),
    (r"\band\b", "et"),
    (r"\bas amended by\b", "modifiée par"),
    (r"\bSOR/", "DORS/"),
    (r"\bin force under ", "en vigueur en vertu de l'"),
    (r"\bS\.C\. (\d{4}), c\. ", r"L.C. \1, ch. "),
]


@functools.lru_cache(maxsize=4096)  # the law cites a few hundred instruments and provisions
def provision_fr(text: str) -> str:
    """A provision in French citation style ("s. 3.7(1) and (5), Schedule 4, Part 1" →
    "art. 3.7(1) et (5), annexe 4, partie 1")."""
    for pat, repl in _PROVISION_FR:
        text = re.sub(pat, repl, text)
    return text[:1].upper() + text[1:]


# English citations inside the engine's French caveats, in French citation style
_CITATION = re.compile(
    r"SOR/[\d-]+ ss?\. [\w.()]+(?: and \(\d+\))?(?:,? and Schedule \d+| ,?Schedule \d+)?"
    r"(?:, Schedule \d+)?(?:, Part \d+)?"
)
_FR_LISTS = {
    "(Restricted Goods and Technologies List)": "(Liste des marchandises et technologies "
    "restreintes)",
}


def _fr_citation(m: re.Match[str]) -> str:
    return provision_fr(m.group(0).replace(" s. ", ", s. ", 1)).replace("DORS/", "DORS/")


def french_citations(text: str) -> str:
    """English citations inside a French sentence (the engine's caveats quote provisions
    as the English consolidation writes them), in French citation style."""
    text = _CITATION.sub(_fr_citation, text)
    for en, fr in _FR_LISTS.items():
        text = text.replace(en, fr)
    return text


@functools.lru_cache(maxsize=1024)  # the law cites a few hundred provisions
def cite_fr(instrument: str, provision: str) -> str:
    """An instrument and one of its provisions as a French sentence quotes them
    ("SOR/2014-58", "s. 3.06(1) and Schedule 5.1" → "DORS/2014-58, art. 3.06(1) et
    annexe 5.1")."""
    said = provision_fr(provision)
    if said.startswith(("Art. ", "Annexe", "Partie", "Paragraphe", "Alinéa", "Texte")):
        said = said[:1].lower() + said[1:]
    return f"{provision_fr(instrument)}, {said}"
