# ruff: noqa: E501
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
    "err.date_past": (
        "The proposed export date {date} is in the past: give the date the goods will leave Canada (today or later).",
        "La date d'exportation prévue {date} est passée : indiquez la date à laquelle les marchandises quitteront le Canada (aujourd'hui ou plus tard).",
    ),
    "err.law_blocks_line": (
        "No permit can be issued: under the law in force on {on}, line {line_no} is {outcome} ({citation}). Replay the assessment under today's law or refuse the application.",
        "Aucune licence ne peut être délivrée : selon le droit en vigueur le {on}, la ligne {line_no} est {outcome} ({citation}). Réévaluez la demande selon le droit d'aujourd'hui ou refusez-la.",
    ),
    "err.line_now_prohibited": (
        "Line {line_no} may not be shipped: since this permit was issued the law bans these goods on {on} ({citation}).",
        "La ligne {line_no} ne peut pas être expédiée : depuis la délivrance de cette licence, le droit interdit ces marchandises le {on} ({citation}).",
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
    "err.self_deactivate": (
        "You cannot deactivate your own account.",
        "Vous ne pouvez pas désactiver votre propre compte.",
    ),
    "err.already_active": ("The account is already active.", "Le compte est déjà actif."),
    "err.already_inactive": (
        "The account is already deactivated.",
        "Le compte est déjà désactivé.",
    ),
    "err.user_inactive": (
        "Account {username} is deactivated; reactivate it first.",
        "Le compte {username} est désactivé; réactivez-le d'abord.",
    ),
    "err.no_such_user": ("No user {username}.", "Aucun utilisateur {username}."),
    "err.token_revoked": ("The token is already revoked.", "Le jeton est déjà révoqué."),
    "err.wrong_password": (
        "The current password is wrong.",
        "Le mot de passe actuel est erroné.",
    ),
    "err.password_length": (
        "A password has 8 to 200 characters.",
        "Un mot de passe compte de 8 à 200 caractères.",
    ),
    "err.password_same": (
        "The new password must differ from the current one.",
        "Le nouveau mot de passe doit différer de l'actuel.",
    ),
    "err.password_mismatch": (
        "The two new passwords differ.",
        "Les deux nouveaux mots de passe diffèrent.",
    ),
    "err.server": (
        "Something went wrong; nothing was changed.",
        "Une erreur s'est produite; rien n'a été modifié.",
    ),
}


CATALOG.update(
    {
        "app.name": ("Permit office", "Bureau des licences"),
        "nav.skip": ("Skip to content", "Passer au contenu"),
        "nav.main": ("Main", "Principal"),
        "nav.home": ("Home", "Accueil"),
        "nav.check_export": ("Check an export", "Vérifier une exportation"),
        "nav.check_import": ("Check an import", "Vérifier une importation"),
        "nav.check_contact": ("Check an official contact", "Vérifier un contact officiel"),
        "nav.country": ("Country page", "Page du pays"),
        "nav.dashboard": ("My dashboard", "Mon tableau de bord"),
        "nav.queue": ("Work queue", "File de travail"),
        "nav.audit": ("Audit log", "Journal d'audit"),
        "nav.users": ("Users", "Utilisateurs"),
        "nav.login": ("Sign in", "Se connecter"),
        "nav.logout": ("Sign out", "Se déconnecter"),
        "footer.note": (
            "Export and Import Permits Act — Area Control List (Belarus). Answers cite the law; they are not legal advice.",
            "Loi sur les licences d'exportation et d'importation — Liste des pays visés (Bélarus). Les réponses citent le droit; elles ne constituent pas un avis juridique.",
        ),
        "role.applicant": ("applicant", "demandeur"),
        "role.officer": ("permit officer", "agent des licences"),
        "role.auditor": ("auditor", "vérificateur"),
        "role.admin": ("administrator", "administrateur"),
        "home.title": (
            "Export permits for Area Control List countries",
            "Licences d'exportation pour les pays de la Liste des pays visés",
        ),
        "home.lead": (
            "Check what the law presumes, apply for an export permit, follow its decision and record its use.",
            "Vérifiez ce que le droit présume, demandez une licence d'exportation, suivez la décision et déclarez son utilisation.",
        ),
        "home.export": (
            "Is a permit needed to export these goods on that date, and what is the policy?",
            "Faut-il une licence pour exporter ces marchandises à cette date, et quelle est la politique?",
        ),
        "home.import": (
            "How is an import from that country treated on that date?",
            "Comment une importation de ce pays est-elle traitée à cette date?",
        ),
        "home.contact": (
            "May officials engage with that country on a topic?",
            "Les fonctionnaires peuvent-ils traiter avec ce pays sur un sujet?",
        ),
        "home.signin": (
            "Applicants, officers and auditors:",
            "Demandeurs, agents et vérificateurs :",
        ),
        "check.export.help": (
            "Give the destination, the date and one of: HS code, goods category or Export Control List item.",
            "Indiquez la destination, la date et l'un des éléments suivants : code SH, catégorie de marchandises ou article de la Liste des marchandises d'exportation contrôlée.",
        ),
        "check.import.help": (
            "Give the country of origin, the date and the HS code.",
            "Indiquez le pays d'origine, la date et le code SH.",
        ),
        "check.contact.help": (
            "Give the country, the date and the topic of the contact.",
            "Indiquez le pays, la date et le sujet du contact.",
        ),
        "form.destination": ("Country of final destination", "Pays de destination finale"),
        "form.on": ("Date", "Date"),
        "form.hs": ("HS code", "Code SH"),
        "form.category": ("Goods category", "Catégorie de marchandises"),
        "form.ecl": ("Export Control List item", "Article de la LMEC"),
        "form.check": ("Check", "Vérifier"),
        "form.show": ("Show", "Afficher"),
        "form.origin": ("Country of origin", "Pays d'origine"),
        "form.mfn_rate": ("MFN rate (optional)", "Taux NPF (facultatif)"),
        "form.with": ("Country", "Pays"),
        "form.topic": ("Topic", "Sujet"),
        "form.country": ("Country", "Pays"),
        "form.choose": ("Choose…", "Choisir…"),
        "permit.law_flag": (
            "The law has changed since this permit was issued",
            "Le droit a changé depuis la délivrance de cette licence",
        ),
        "permit.law_flag_line": (
            "Line {line_no}: these goods are banned on {on}; shipments on this line are refused.",
            "Ligne {line_no} : ces marchandises sont interdites le {on}; les expéditions sur cette ligne sont refusées.",
        ),
        "queue.flagged": (
            "Permits flagged by a change in the law",
            "Licences signalées à la suite d'un changement du droit",
        ),
        "app.reassess": (
            "Replay the assessment under today's law",
            "Réévaluer selon le droit d'aujourd'hui",
        ),
        "form.bad_date": ("not a date (use YYYY-MM-DD)", "date invalide (AAAA-MM-JJ)"),
        "form.username": ("User name", "Nom d'utilisateur"),
        "form.password": ("Password", "Mot de passe"),
        "form.app_title": (
            "New export permit application",
            "Nouvelle demande de licence d'exportation",
        ),
        "form.edit_draft": ("Draft {ref}", "Brouillon {ref}"),
        "form.app_help": (
            "What the Export Permits Regulations s.3(2) require. A draft may be saved incomplete; fields marked * are needed to submit.",
            "Ce qu'exige le par. 3(2) du Règlement sur les licences d'exportation. Un brouillon peut être enregistré incomplet; les champs marqués * sont requis pour soumettre.",
        ),
        "form.fix": ("Please correct these fields:", "Veuillez corriger ces champs :"),
        "form.applicant": ("Applicant", "Demandeur"),
        "form.exporter": ("Exporter", "Exportateur"),
        "form.name": ("Name", "Nom"),
        "form.address": ("Address", "Adresse"),
        "form.contact": (
            "Contact (person, telephone or e-mail)",
            "Contact (personne, téléphone ou courriel)",
        ),
        "form.consignees": ("Consignees", "Destinataires"),
        "form.consignee_n": ("Consignee {n}", "Destinataire {n}"),
        "form.destination_use": (
            "Destination, end use and end user",
            "Destination, utilisation finale et utilisateur final",
        ),
        "form.proposed_date": (
            "Proposed export date (assessed on this date)",
            "Date d'exportation prévue (évaluée à cette date)",
        ),
        "form.end_use": ("End use", "Utilisation finale"),
        "form.end_user_name": ("End user", "Utilisateur final"),
        "form.end_user_address": ("End user's address", "Adresse de l'utilisateur final"),
        "form.end_user_contact": ("End user's contact", "Contact de l'utilisateur final"),
        "form.lines": ("Goods", "Marchandises"),
        "form.lines_help": (
            "Leave unused lines empty. Total value is computed when left empty (quantity × unit value, CAD).",
            "Laissez vides les lignes inutilisées. La valeur totale est calculée si elle est laissée vide (quantité × valeur unitaire, $ CA).",
        ),
        "form.line_n": ("Line {n}", "Ligne {n}"),
        "form.description": ("Description", "Description"),
        "form.quantity": ("Quantity", "Quantité"),
        "form.unit": ("Unit", "Unité"),
        "form.unit_value": ("Unit value (CAD)", "Valeur unitaire ($ CA)"),
        "form.total_value": ("Total value (CAD)", "Valeur totale ($ CA)"),
        "form.declarations": ("Declarations", "Déclarations"),
        "form.decl_true": (
            "I declare that the information given is true and complete.",
            "Je déclare que les renseignements fournis sont exacts et complets.",
        ),
        "form.decl_obligations": (
            "I am aware of the obligations under the Export and Import Permits Act.",
            "Je connais les obligations prévues par la Loi sur les licences d'exportation et d'importation.",
        ),
        "form.save_draft": ("Save draft", "Enregistrer le brouillon"),
        "form.file": (
            "Supporting document (PDF, PNG, JPEG or text; 10 MB max)",
            "Document à l'appui (PDF, PNG, JPEG ou texte; 10 Mo max.)",
        ),
        "form.doc_kind": ("Kind of document", "Type de document"),
        "form.upload": ("Upload", "Téléverser"),
        "form.submit_title": ("Submit", "Soumettre"),
        "form.submit_help": (
            "On submission every line is pre-assessed against the law in force on the proposed export date (or today), and the answer is kept with its law version.",
            "À la soumission, chaque ligne est évaluée selon le droit en vigueur à la date d'exportation prévue (ou aujourd'hui), et la réponse est conservée avec sa version du droit.",
        ),
        "form.submit": ("Submit application", "Soumettre la demande"),
        "doc.supporting": ("Supporting document", "Document à l'appui"),
        "doc.end_use_certificate": ("End-use certificate", "Certificat d'utilisation finale"),
        "doc.contract": ("Contract", "Contrat"),
        "msg.saved": ("Draft saved.", "Brouillon enregistré."),
        "msg.done": ("Done.", "C'est fait."),
        "msg.uploaded": ("Document uploaded.", "Document téléversé."),
        "answer.title": ("Answer", "Réponse"),
        "answer.permit_required": ("Export permit required", "Licence d'exportation requise"),
        "answer.outcome": ("Policy", "Politique"),
        "answer.treatment": ("Treatment", "Traitement"),
        "answer.rate": ("Rate", "Taux"),
        "answer.prohibited": ("Prohibited", "Interdit"),
        "answer.allowed": ("Allowed", "Permis"),
        "answer.general_permits": ("General export permits", "Licences générales d'exportation"),
        "answer.as_of": ("As of", "En date du"),
        "answer.law_version": ("Law version", "Version du droit"),
        "answer.reasons": ("Reasons and citations", "Motifs et citations"),
        "answer.rule": ("Rule", "Règle"),
        "answer.citation": ("Citation", "Citation"),
        "answer.in_force": ("In force", "En vigueur"),
        "answer.text": ("Text", "Texte"),
        "answer.caveats": ("Caveats", "Mises en garde"),
        "answer.all_fields": ("All fields (JSON)", "Tous les champs (JSON)"),
        "answer.technical": ("Technical details", "Détails techniques"),
        "answer.question": ("Question asked of the engine", "Question posée au moteur"),
        "answer.open": ("no end date", "sans date de fin"),
        "app.assessment_today": (
            "Under the law in force today ({on})",
            "Selon le droit en vigueur aujourd'hui ({on})",
        ),
        "outcome.not_required": ("Not required", "Non requise"),
        "outcome.generally_approved": ("Generally approved", "Généralement approuvée"),
        "outcome.normally_issued": ("Normally issued", "Normalement délivrée"),
        "outcome.case_by_case": ("Case by case", "Au cas par cas"),
        "outcome.generally_denied": ("Generally denied", "Généralement refusée"),
        "outcome.new_permits_suspended": ("New permits suspended", "Nouvelles licences suspendues"),
        "outcome.prohibited": ("Prohibited", "Interdite"),
        "yes": ("Yes", "Oui"),
        "no": ("No", "Non"),
        "none": ("None.", "Aucun."),
        "country.title": ("Country: {code}", "Pays : {code}"),
        "country.measures": ("Measures in force on {on}", "Mesures en vigueur le {on}"),
        "country.timeline": ("Timeline", "Chronologie"),
        "change.starts": ("starts", "début"),
        "change.ends": ("ends", "fin"),
        "error.title": ("This request was refused", "Cette demande a été refusée"),
        "dash.title": ("My applications and permits", "Mes demandes et licences"),
        "dash.new": ("New application", "Nouvelle demande"),
        "dash.drafts": ("Drafts", "Brouillons"),
        "dash.applications": ("Submitted applications", "Demandes soumises"),
        "dash.permits": ("Permits and balances", "Licences et soldes"),
        "dash.edit": ("Edit", "Modifier"),
        "dash.copy": ("Copy into a new draft", "Copier dans un nouveau brouillon"),
        "col.reference": ("Reference", "Référence"),
        "col.destination": ("Destination", "Destination"),
        "col.lines": ("Lines", "Lignes"),
        "col.line": ("Line", "Ligne"),
        "col.actions": ("Actions", "Actions"),
        "col.kind": ("Kind", "Type"),
        "col.status": ("Status", "État"),
        "col.submitted": ("Submitted", "Soumise"),
        "col.due": ("Due", "Échéance"),
        "col.permit": ("Permit", "Licence"),
        "col.valid": ("Valid", "Validité"),
        "col.remaining_q": ("Remaining quantity", "Quantité restante"),
        "col.remaining_v": ("Remaining value (CAD)", "Valeur restante ($ CA)"),
        "col.organisation": ("Organisation", "Organisation"),
        "col.standard": ("Standard (business days)", "Norme (jours ouvrables)"),
        "col.left": ("Business days left", "Jours ouvrables restants"),
        "col.date": ("Date", "Date"),
        "kind.new": ("Application", "Demande"),
        "kind.amendment": ("Amendment request", "Demande de modification"),
        "status.draft": ("draft", "brouillon"),
        "status.submitted": ("submitted", "soumise"),
        "status.approved": ("approved", "approuvée"),
        "status.denied": ("denied", "refusée"),
        "status.active": ("active", "en vigueur"),
        "status.suspended": ("suspended", "suspendue"),
        "status.cancelled": ("cancelled", "annulée"),
        "status.expired": ("expired", "expirée"),
        "queue.title": ("Applications to decide", "Demandes à trancher"),
        "queue.help": (
            "Ordered by due date under the service standards: 10 business days; 40 with consultation or several destinations; 3 for an amendment. Federal holidays are not counted.",
            "Triées par échéance selon les normes de service : 10 jours ouvrables; 40 avec consultation ou plusieurs destinations; 3 pour une modification. Les jours fériés fédéraux ne sont pas comptés.",
        ),
        "queue.overdue": ("OVERDUE", "EN RETARD"),
        "queue.consultation": ("consultation", "consultation"),
        "queue.empty": ("Nothing to decide.", "Rien à trancher."),
        "queue.decided": ("Recently decided", "Décisions récentes"),
        "app.standard_days": ("{n} business days", "{n} jours ouvrables"),
        "app.amends": ("Amends permit", "Modifie la licence"),
        "app.amendment": ("Requested amendment", "Modification demandée"),
        "app.new_valid_to": ("New expiry date", "Nouvelle date d'expiration"),
        "app.parties": ("Parties", "Parties"),
        "app.documents": ("Supporting documents", "Documents à l'appui"),
        "app.assessment": ("Pre-assessment by the engine", "Évaluation préalable par le moteur"),
        "app.assessment_help": (
            "Stored at submission, for the law in force on {on}.",
            "Conservée à la soumission, pour le droit en vigueur le {on}.",
        ),
        "app.decision": ("Decision", "Décision"),
        "app.outcome": ("Decision", "Décision"),
        "app.officer": ("Officer", "Agent"),
        "app.reasons": ("Reasons", "Motifs"),
        "app.citations": ("Citations", "Citations"),
        "app.citations_help": (
            "Citations (one per line; empty = the assessment's citations)",
            "Citations (une par ligne; vide = celles de l'évaluation)",
        ),
        "app.decide": ("Decide", "Trancher"),
        "app.consultation_on": (
            "Mark: consultation needed (40 business days)",
            "Indiquer : consultation requise (40 jours ouvrables)",
        ),
        "app.consultation_off": (
            "Mark: no consultation (10 business days)",
            "Indiquer : aucune consultation (10 jours ouvrables)",
        ),
        "app.valid_to": (
            "Permit expiry date (default one year)",
            "Date d'expiration de la licence (par défaut un an)",
        ),
        "app.conditions": ("Conditions (one per line)", "Conditions (une par ligne)"),
        "app.authorised": (
            "Authorised quantity and value per line",
            "Quantité et valeur autorisées par ligne",
        ),
        "app.record_decision": ("Record decision", "Enregistrer la décision"),
        "decision.approve": ("Approve and issue the permit", "Approuver et délivrer la licence"),
        "decision.deny": ("Deny", "Refuser"),
        "permit.title": ("Export permit", "Licence d'exportation"),
        "permit.issued": ("Issued", "Délivrée"),
        "permit.balances": ("Balances", "Soldes"),
        "permit.authorised": ("Authorised", "Autorisé"),
        "permit.used": ("Used", "Utilisé"),
        "permit.remaining": ("Remaining", "Restant"),
        "permit.usage": ("Usage history", "Historique d'utilisation"),
        "permit.value": ("Value (CAD)", "Valeur ($ CA)"),
        "permit.declaration": (
            "Export declaration reference",
            "Référence de la déclaration d'exportation",
        ),
        "permit.recorded_by": ("Recorded by", "Enregistrée par"),
        "permit.record": ("Record a shipment", "Enregistrer une expédition"),
        "permit.amendments": ("Amendment requests", "Demandes de modification"),
        "permit.request_amendment": ("Request an amendment", "Demander une modification"),
        "permit.new_quantity": ("new authorised quantity", "nouvelle quantité autorisée"),
        "permit.new_value": ("new authorised value (CAD)", "nouvelle valeur autorisée ($ CA)"),
        "permit.actions": ("Officer actions", "Actions de l'agent"),
        "permit.action": ("Action", "Action"),
        "permit.apply": ("Apply", "Appliquer"),
        "action.suspend": ("Suspend", "Suspendre"),
        "action.reinstate": ("Reinstate", "Rétablir"),
        "action.cancel": ("Cancel", "Annuler"),
        "action.expire": ("Expire", "Faire expirer"),
        "audit.title": ("Audit log", "Journal d'audit"),
        "audit.help": (
            "Every state change and decision, newest first. Each entry is chained to the previous one by SHA-256.",
            "Chaque changement d'état et chaque décision, du plus récent au plus ancien. Chaque entrée est liée à la précédente par SHA-256.",
        ),
        "audit.verify": ("Verify the chain", "Vérifier la chaîne"),
        "audit.ok": (
            "Chain intact: {n} entries verified.",
            "Chaîne intacte : {n} entrées vérifiées.",
        ),
        "audit.broken": (
            "Chain broken at entry {id}: {problem}",
            "Chaîne rompue à l'entrée {id} : {problem}",
        ),
        "audit.actor": ("Actor", "Acteur"),
        "audit.action": ("Action", "Action"),
        "audit.entity": ("Object", "Objet"),
        "audit.change": ("Change", "Changement"),
        "audit.before_after": ("before / after", "avant / après"),
        "audit.hash": ("Hash", "Empreinte"),
        "audit.older": ("Older entries", "Entrées plus anciennes"),
        "permit.utilisation_csv": (
            "Utilisation report (CSV)",
            "Rapport d'utilisation (CSV)",
        ),
        "users.title": ("Users", "Utilisateurs"),
        "users.role": ("Role", "Rôle"),
        "users.new": ("New user", "Nouvel utilisateur"),
        "users.create": ("Create user", "Créer l'utilisateur"),
        "users.created": (
            "User {name} created. Copy the token now: it is shown only once.",
            "Utilisateur {name} créé. Copiez le jeton maintenant : il n'est affiché qu'une fois.",
        ),
        "users.token": ("API token", "Jeton d'API"),
        "users.active": ("Active", "Actif"),
        "users.inactive": ("Deactivated", "Désactivé"),
        "users.status": ("Account", "Compte"),
        "users.tokens": ("API tokens", "Jetons d'API"),
        "users.actions": ("Actions", "Actions"),
        "users.deactivate": ("Deactivate", "Désactiver"),
        "users.reactivate": ("Reactivate", "Réactiver"),
        "users.new_token": ("Issue a new token", "Émettre un nouveau jeton"),
        "users.revoke": ("Revoke token {id}", "Révoquer le jeton {id}"),
        "users.revoked": ("revoked", "révoqué"),
        "users.token_issued": (
            "New API token for {name}. Copy it now: it is shown only once.",
            "Nouveau jeton d'API pour {name}. Copiez-le maintenant : il n'est affiché qu'une fois.",
        ),
        "nav.account": ("My account", "Mon compte"),
        "account.title": ("My account", "Mon compte"),
        "account.password": ("Change password", "Changer le mot de passe"),
        "account.old_password": ("Current password", "Mot de passe actuel"),
        "account.new_password": (
            "New password (8 characters or more)",
            "Nouveau mot de passe (8 caractères ou plus)",
        ),
        "account.confirm_password": ("New password again", "Nouveau mot de passe (confirmation)"),
        "account.tokens_help": (
            "Tokens authenticate API calls (Authorization: Bearer …). Revoke one you no longer use or that may have leaked.",
            "Les jetons authentifient les appels à l'API (Authorization: Bearer …). Révoquez ceux que vous n'utilisez plus ou qui ont pu fuir.",
        ),
        "users.password_optional": (
            "Password (optional; generated if empty)",
            "Mot de passe (facultatif; généré si vide)",
        ),
    }
)


# parameters that are codes: shown by their label in the reader's language, mid-sentence
_CODED = {"status": "status.", "outcome": "outcome.", "action": "action."}


def t(key: str, lang: str = "en", **params: Any) -> str:
    en, fr = CATALOG[key]
    text = fr if lang == "fr" else en
    for name, prefix in _CODED.items():
        code = params.get(name)
        if isinstance(code, str) and prefix + code in CATALOG:
            label = t(prefix + code, lang)
            params[name] = label[:1].lower() + label[1:]
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def pick(lang: str | None) -> str:
    return lang if lang in LANGS else "en"
