"""English and French strings of the permit office (a small dict catalog).

``t(key, lang, **params)`` formats with ``str.format``; a missing key is a bug (tests check
that every key has both languages and that every key used in templates exists).
"""

from __future__ import annotations

from typing import Any

LANGS = ("en", "fr")

CATALOG: dict[str, tuple[str, str]] = {
    # errors (codes raised by services.OfficeError and the API)
    "err.forbidden": ("Your role may not do this.", "Votre rôle ne permet pas cette action."),
    "err.unauthenticated": (
        "Sign in or give an API token.",
        "Connectez-vous ou fournissez un jeton d'API.",
    ),
    "err.not_found": ("Not found.", "Introuvable."),
    "err.bad_role": ("Unknown role.", "Rôle inconnu."),
    "err.org_required": (
        "An applicant needs an organisation.",
        "Un demandeur doit avoir une organisation.",
    ),
    "err.user_exists": ("User {username} already exists.", "L'utilisateur {username} existe déjà."),
    "err.not_draft": (
        "Only a draft can be changed; this one is {status}.",
        "Seul un brouillon peut être modifié; celui-ci est {status}.",
    ),
    "err.cannot_copy_amendment": (
        "An amendment request cannot be copied.",
        "Une demande de modification ne peut pas être copiée.",
    ),
    "err.total_mismatch": (
        "Total value must be quantity × unit value ({computed}).",
        "La valeur totale doit être quantité × valeur unitaire ({computed}).",
    ),
    "err.incomplete": (
        "Required before submission: {missing}.",
        "Requis avant la soumission : {missing}.",
    ),
    "err.engine_bad_input": (
        "The assessment refused this: {problem}",
        "L'évaluation a refusé ceci : {problem}",
    ),
    "err.engine_unavailable": (
        "The determination engine is not available; nothing was changed.",
        "Le moteur de détermination n'est pas disponible; rien n'a été modifié.",
    ),
    "err.not_submitted": (
        "Only a submitted application can be decided; this one is {status}.",
        "Seule une demande soumise peut faire l'objet d'une décision; celle-ci est {status}.",
    ),
    "err.valid_to_before_from": (
        "Expiry is before the start of validity.",
        "L'expiration précède le début de la validité.",
    ),
    "err.valid_to_past": ("Expiry date is in the past.", "La date d'expiration est passée."),
    "err.no_such_line": ("No line {line_no}.", "Aucune ligne {line_no}."),
    "err.exceeds_applied": (
        "Line {line_no}: more than applied for.",
        "Ligne {line_no} : plus que ce qui a été demandé.",
    ),
    "err.permit_not_amendable": (
        "A permit that is {status} cannot be amended.",
        "Un permis {status} ne peut pas être modifié.",
    ),
    "err.amendment_empty": (
        "Ask for a new expiry date or new line quantities.",
        "Demandez une nouvelle date d'expiration ou de nouvelles quantités.",
    ),
    "err.below_used": (
        "Line {line_no}: less than already shipped.",
        "Ligne {line_no} : moins que ce qui a déjà été expédié.",
    ),
    "err.bad_transition": (
        "A permit that is {status} cannot be put through '{action}'.",
        "Un permis {status} ne peut pas faire l'objet de « {action} ».",
    ),
    "err.idempotency_key_required": (
        "Give an Idempotency-Key header or idempotency_key field.",
        "Fournissez un en-tête Idempotency-Key ou un champ idempotency_key.",
    ),
    "err.idempotency_key_reused": (
        "This idempotency key was used for a different shipment.",
        "Cette clé d'idempotence a servi pour une autre expédition.",
    ),
    "err.permit_not_usable": (
        "The permit is {status}; no shipment can be recorded against it.",
        "Le permis est {status}; aucune expédition ne peut y être imputée.",
    ),
    "err.outside_validity": (
        "Shipment date outside the permit's validity ({valid_from} to {valid_to}).",
        "Date d'expédition hors de la validité du permis ({valid_from} au {valid_to}).",
    ),
    "err.future_shipment": ("Shipment date is in the future.", "La date d'expédition est future."),
    "err.exceeds_quantity": (
        "Exceeds the authorised quantity: {remaining} {unit} remain.",
        "Dépasse la quantité autorisée : il reste {remaining} {unit}.",
    ),
    "err.exceeds_value": (
        "Exceeds the authorised value: {remaining} CAD remain.",
        "Dépasse la valeur autorisée : il reste {remaining} $ CA.",
    ),
    "err.too_large": ("File larger than {limit} bytes.", "Fichier de plus de {limit} octets."),
    "err.bad_type": (
        "Only PDF, PNG, JPEG or plain text files are accepted.",
        "Seuls les fichiers PDF, PNG, JPEG ou texte brut sont acceptés.",
    ),
    "err.empty_file": ("The file is empty.", "Le fichier est vide."),
    "err.invalid": ("Invalid value.", "Valeur invalide."),
    "err.csrf": (
        "The form expired; please try again.",
        "Le formulaire a expiré; veuillez réessayer.",
    ),
    "err.login": ("Wrong user name or password.", "Nom d'utilisateur ou mot de passe erroné."),
    "err.server": (
        "Something went wrong; nothing was changed.",
        "Une erreur s'est produite; rien n'a été modifié.",
    ),
}


def t(key: str, lang: str = "en", **params: Any) -> str:
    en, fr = CATALOG[key]
    text = fr if lang == "fr" else en
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def pick(lang: str | None) -> str:
    return lang if lang in LANGS else "en"
