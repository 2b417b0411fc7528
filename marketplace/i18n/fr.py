"""Textes français du catalogue (mêmes identifiants que :mod:`marketplace.i18n.en`)."""

from __future__ import annotations

__all__ = ["MESSAGES"]

MESSAGES: dict[str, str] = {
    "step.depart": "Partez vers {heading} sur {street}",
    "step.straight": "Continuez tout droit sur {street}",
    "step.slight left": "Tournez légèrement à gauche sur {street}",
    "step.left": "Tournez à gauche sur {street}",
    "step.sharp left": "Tournez franchement à gauche sur {street}",
    "step.slight right": "Tournez légèrement à droite sur {street}",
    "step.right": "Tournez à droite sur {street}",
    "step.sharp right": "Tournez franchement à droite sur {street}",
    "step.u-turn": "Faites demi-tour sur {street}",
    "step.arrive": "Vous êtes arrivé à destination",
    "step.then_continue": "{instruction}, puis continuez sur {distance}",
    "step.unnamed_street": "une voie sans nom",
    "compass.north": "le nord",
    "compass.north-east": "le nord-est",
    "compass.east": "l'est",
    "compass.south-east": "le sud-est",
    "compass.south": "le sud",
    "compass.south-west": "le sud-ouest",
    "compass.west": "l'ouest",
    "compass.north-west": "le nord-ouest",
    "routing.NO_ROUTE": "Aucun chemin ne relie ces lieux de cette façon.",
    "routing.NO_ROUTE.closed_street": (
        "Aucun trajet en voiture ne relie ces lieux tant que cette voie est fermée aux "
        "voitures : {streets}."
    ),
    "routing.NO_ROUTE.closed_streets": (
        "Aucun trajet en voiture ne relie ces lieux tant que ces voies sont fermées aux "
        "voitures : {streets}."
    ),
    "routing.NO_TRANSIT_CONNECTION": "Aucune correspondance en transports en commun à cette heure.",
    "routing.NO_SERVICE_AVAILABLE": (
        "Aucun véhicule ni place de ce service n'est disponible à proximité."
    ),
    "routing.NO_SERVICE_PUBLISHED": "Aucun service de ce type n'est encore publié.",
    "routing.UNKNOWN_SERVICE": "Un service choisi n'est pas (ou plus) publié.",
    "routing.VIA_DIRECT_MODES_ONLY": (
        "Les étapes intermédiaires se planifient seulement à pied, à vélo ou en voiture."
    ),
    "routing.LOCATION_NOT_FOUND": "Un lieu du trajet est introuvable sur le plan des rues.",
    "routing.OUTSIDE_BOUNDS": "Un lieu du trajet est en dehors des rues d'Issy.",
    "routing.OUTSIDE_BOUNDS.far": (
        "{place} est à {distance} de la rue la plus proche du plan, hors de la zone couverte."
    ),
    "place.origin": "Le départ",
    "place.destination": "L'arrivée",
    "routing.NO_STREET_NETWORK": "Aucun plan des rues n'est chargé sur le serveur.",
    "routing.TIMETABLE_ERROR": "Les horaires n'ont pas pu être lus.",
    "routing.ROUTING_ERROR": "Ce mode de déplacement n'a pas pu être planifié.",
    "warning.ONEWAY_UNKNOWN": "Les données de rues n'indiquent pas les sens uniques.",
    "warning.STREET_NAMES_UNKNOWN": "Les données de rues ne portent pas les noms des rues.",
    "warning.STREET_ACCESS_UNKNOWN": (
        "Les données de rues n'indiquent pas qui peut emprunter chaque rue."
    ),
    "warning.EDGES_DROPPED": ("Des rues des données ont été écartées (croisements inconnus)."),
    "warning.NODE_IDS_NOT_OSM": (
        "Les données de rues ne portent pas les identifiants OpenStreetMap."
    ),
    "warning.OTHER": "Les données de rues ont une limite : {detail}",
    "auth.wrong_credentials": "adresse e-mail ou mot de passe incorrect",
    "auth.sign_in_rate_limited": (
        "trop de connexions échouées pour ce compte depuis votre adresse : "
        "attendez {minutes} minute(s) et réessayez"
    ),
    "auth.session_unknown": "cette session est inconnue ou a été fermée ; reconnectez-vous",
    "auth.session_expired": "cette session a expiré ; reconnectez-vous",
    "auth.account_disabled": "ce compte est désactivé",
    "auth.sign_in_first": (
        "connectez-vous d'abord : envoyez 'Authorization: Bearer <jeton de session>' reçu de signIn"
    ),
    "auth.bearer_malformed": "l'en-tête Authorization doit être 'Bearer <clé d'API>'",
    "auth.api_key_malformed": "clé d'API mal formée ; attendu : 'Authorization: Bearer issy_…'",
    "auth.api_key_unknown": "clé d'API inconnue",
    "auth.api_key_revoked": "la clé d'API {prefix} a été révoquée ; créez-en une nouvelle",
    "auth.api_key_expired": "la clé d'API {prefix} a expiré le {at}",
    "auth.partner_key_needed": (
        "cette opération demande une clé d'API de partenaire : envoyez "
        "'Authorization: Bearer issy_…'"
    ),
    "auth.partners_only": (
        "cette opération est réservée aux partenaires : utilisez une clé d'API de partenaire "
        "ou le compte d'un membre du partenaire"
    ),
    "auth.city_only": "seuls les comptes partenaires de la ville peuvent faire cela",
    "auth.planners_sign_in": (
        "les {what} sont réservés aux urbanistes de la ville : connectez-vous avec un compte "
        "urbaniste ou envoyez la clé d'API de la ville"
    ),
    "auth.planners_only": (
        "les {what} sont réservés aux urbanistes de la ville (comptes urbaniste et "
        "administrateur, clés d'API de la ville)"
    ),
    "auth.role_refused": "votre rôle ne permet pas de faire cela",
    "auth.people_only": (
        "cette opération est réservée aux personnes connectées, pas aux clés d'API"
    ),
    "auth.admins_only": "cette opération est réservée aux administrateurs de la ville (modération)",
    "what.traffic results": "résultats de trafic",
    "what.traffic exports": "exports de trafic",
    "community.needs_account": ("pour {doing}, il faut un compte ; connectez-vous d'abord"),
    "community.people_only": ("{doing} : réservé aux personnes connectées, pas aux clés d'API"),
    "community.residents_only": (
        "{doing} : réservé aux habitants ; partenaires et services de la ville répondent "
        "officiellement"
    ),
    "community.admins_only": "{doing} : réservé aux administrateurs de la ville",
    "community.staff_only": "{doing} : réservé aux administrateurs et urbanistes de la ville",
    "community.partner_key_needed": (
        "{doing} : il faut une clé d'API de partenaire ou la session d'un membre du partenaire"
    ),
    "community.partners_only": "{doing} : réservé aux partenaires",
    "doing.opening a city challenge": "ouvrir un défi de la ville",
    "doing.proposing an answer to a challenge": "proposer une réponse à un défi",
    "doing.voting": "voter",
    "doing.reviewing a service": "donner un avis sur un service",
    "doing.editing a review": "modifier un avis",
    "doing.replying to a review": "répondre à un avis",
    "doing.reporting content": "signaler un contenu",
    "doing.making a suggestion": "faire une suggestion",
    "doing.editing a suggestion": "modifier une suggestion",
    "doing.withdrawing a vote": "retirer un vote",
    "doing.following a suggestion": "suivre une suggestion",
    "doing.commenting": "commenter",
    "community.posting_too_fast": (
        "vous publiez trop vite : au plus {per_minute} messages par minute ; attendez une "
        "minute et réessayez"
    ),
    "community.posted_too_much": (
        "vous avez publié {per_hour} fois cette heure-ci, le maximum ; réessayez plus tard"
    ),
    "community.suggestion_not_found": "aucune suggestion n° {id}",
    "community.comment_not_found": "aucun commentaire n° {id}",
    "community.rating": "la note est {rating} ; donnez de 1 à 5 étoiles",
    "community.review_not_found": "aucun avis n° {id}",
    "community.service_not_found": "aucun service publié n° {id}",
    "community.reviewed_already": (
        "vous avez déjà donné votre avis sur le service {id} ; modifiez plutôt cet avis"
    ),
    "community.challenge_closed": (
        "le défi {id} est clos depuis le {deadline} ; {doing} n'est plus possible"
    ),
    "community.deadline_past": "l'échéance {deadline} est passée",
    "community.challenge_not_found": "aucun défi n° {id}",
    "community.own_service_not_found": "aucun de vos services ne porte le n° {id}",
    "community.proposal_not_found": "aucune proposition n° {id}",
    "community.voted_proposal_already": (
        "vous avez déjà voté pour la proposition {id} ; retirez d'abord votre vote pour voter "
        "de nouveau"
    ),
    "community.voted_suggestion_already": (
        "vous avez déjà voté pour l'idée {id} ; retirez d'abord votre vote pour voter de nouveau"
    ),
    "community.review_author_only": "seul son auteur peut modifier un avis",
    "community.reply_operator_only": (
        "seul le partenaire qui exploite le service peut répondre à ses avis"
    ),
    "community.suggestion_author_only": "seul son auteur peut modifier une idée",
    "community.own_idea": "vous ne pouvez pas voter pour votre propre idée",
    "community.deciders_only": (
        "seuls les urbanistes et administrateurs de la ville, et les partenaires pour leurs "
        "propres services, statuent sur les idées"
    ),
    "community.official_only": (
        "seuls les membres des partenaires et les services de la ville répondent officiellement"
    ),
    "community.proposal_services": "une proposition relie au plus 20 services",
    "community.deadline_timezone": (
        "l'échéance n'a pas de fuseau horaire ; par exemple 2030-01-01T18:00:00+01:00"
    ),
    "signup.accepted": (
        "Si cette adresse peut servir à un nouveau compte, elle a reçu un message avec un lien "
        "à ouvrir dans les 24 heures pour le confirmer. Si vous avez déjà un compte, "
        "connectez-vous plutôt ; le message le rappelle aussi."
    ),
    "signup.invalid_link": (
        "ce lien de confirmation est inconnu, déjà utilisé ou expiré ; inscrivez-vous de "
        "nouveau, ou connectez-vous si vous avez déjà confirmé"
    ),
    "signup.rate_limited": (
        "trop d'inscriptions {what} : attendez {minutes} minute(s) et réessayez"
    ),
    "signup.for_this_email": "pour cette adresse",
    "signup.from_your_address": "depuis votre adresse réseau",
    "credentials.bad_email": (
        "l'adresse e-mail doit ressembler à nom@exemple.fr (254 caractères au plus)"
    ),
    "credentials.password_short": (
        "le mot de passe fait {length} caractères ; il en faut au moins {minimum} (quelques "
        "mots sans rapport font un mot de passe solide)"
    ),
    "credentials.password_long": (
        "le mot de passe fait {length} caractères ; {maximum} au plus sont acceptés"
    ),
    "credentials.password_common": (
        "ce mot de passe est trop facile à deviner (connu ou répétitif) ; choisissez-en un autre"
    ),
    "credentials.password_is_email": "le mot de passe ne doit pas être votre adresse e-mail",
    "credentials.display_name_length": "le nom affiché doit faire de 1 à 80 caractères",
    "credentials.display_name_control": (
        "le nom affiché ne doit pas contenir de caractères de contrôle"
    ),
    "email.confirm.subject": "Issy Mobility : confirmez votre compte",
    "email.confirm.body": (
        "Bonjour {name},\n\nPour créer votre compte Issy Mobility, ouvrez ce lien dans les 24 "
        "heures :\n\n{link}\n\nSi vous n'avez pas demandé de compte, ignorez ce message : "
        "aucun compte n'est créé sans ce lien."
    ),
    "email.existing.subject": "Issy Mobility : vous avez déjà un compte",
    "email.existing.body": (
        "Quelqu'un, sans doute vous, a demandé à créer un compte Issy Mobility avec cette "
        "adresse, qui en a déjà un. Rien n'a été modifié.\n\nPour utiliser votre compte, "
        "connectez-vous sur {link}\n\nSi ce n'était pas vous, ignorez ce message."
    ),
    "api.not_a_number_id": (
        "{raw} n'est pas un identifiant de {what} : donnez un nombre comme 42 ou un "
        "identifiant fourni par cette API"
    ),
    "api.no_such_id": "aucun {what} d'identifiant {raw}",
    "api.not_an_api_id": (
        "{raw} n'est pas un identifiant fourni par cette API (identifiants opaques comme {example})"
    ),
    "api.wrong_id_type": "l'identifiant {raw} désigne un {actual}, pas un {expected}",
    "api.not_a_cursor": (
        "after {raw} n'est pas un curseur ; passez pageInfo.endCursor de la page précédente"
    ),
    "api.page_size": (
        "first={first} est hors limites : demandez de 1 à {maximum} éléments par page et "
        "suivez pageInfo.endCursor pour la suite"
    ),
    "plan.location_one_of": "{name} : donnez soit coordinate, soit stationId, pas les deux",
    "plan.station_not_published": (
        "{name} : la station {station} n'appartient à aucun service publié"
    ),
    "matrix.no_timezone": (
        "departAt {value} n'a pas de fuseau horaire ; accepté : ISO 8601 avec décalage, par "
        "exemple 2026-11-30T08:30:00+01:00"
    ),
    "plan.no_timezone": (
        "dateTime {value} n'a pas de fuseau horaire ; accepté : ISO 8601 avec décalage, par "
        "exemple 2026-11-30T08:30:00+01:00"
    ),
    "plan.time_range": "dateTime {value} est hors limites ; accepté : du {start} au {end}",
    "plan.num_itineraries": "numItineraries {value} ; accepté : de 1 à {maximum}",
    "plan.min_rating": "minServiceRating {value} ; accepté : de 1 à 5",
    "plan.first_negative": "first doit être >= 0",
    "plan.locale": "la langue {value!r} n'est pas proposée ; acceptées : fr, en",
    "plan_request.NO_TIMEZONE": (
        "l'heure {time} n'a pas de fuseau horaire ; accepté : ISO 8601 avec décalage, par "
        "exemple 2026-11-30T08:30:00+01:00"
    ),
    "plan_request.TOO_FAR_AHEAD": (
        "l'heure {time} est à plus de {days} jours d'aujourd'hui ; accepté : une heure dans "
        "les 60 jours"
    ),
    "plan_request.WALK_SPEED": "vitesse de marche {speed_kmh} km/h ; acceptée : de 1 à 10",
    "plan_request.BIKE_SPEED": "vitesse à vélo {speed_kmh} km/h ; acceptée : de 5 à 40",
    "plan_request.MAX_WALK": "distance de marche maximale {distance_m} m ; acceptée : de 0 à 10000",
    "plan_request.SERVICES_CONFLICT": (
        "les services {services} sont à la fois exigés et exclus ; choisissez"
    ),
    "plan_request.OPTIMIZE": "optimize {optimize!r} ; acceptés : time, price, co2",
    "plan_request.MAX_TRANSFERS": "maxTransfers {count} ; accepté : de 0 à 8 correspondances",
    "plan_request.NUM_ITINERARIES": "numItineraries {count} ; accepté : de 1 à 20",
    "plan_request.TOO_MANY_VIA": "{count} étapes intermédiaires ; acceptées : 5 au plus",
    "plan_request.NO_MODE": (
        "aucun mode autorisé ; accepté : au moins un mode ou un type de service"
    ),
    "plan_request.SAME_PLACE": (
        "le départ et l'arrivée sont au même endroit (à moins de 10 m) ; accepté : deux "
        "points distincts"
    ),
    "plan.not_set_up": "la planification de trajets n'est pas configurée sur ce serveur",
    "exports.header": "header {value!r} n'est pas proposé ; acceptés : labels, ids",
    "traffic.no_run": (
        "aucun calcul de trafic réussi pour {period} pour l'instant ; un urbaniste lance "
        "d'abord runAssignment"
    ),
    "traffic.no_od_matrix": (
        "aucune matrice origine-destination importée pour l'instant ; appelez d'abord importDemand"
    ),
    "traffic.no_base_run": (
        "aucun calcul réussi pour {period} pour l'instant ; lancez d'abord runAssignment"
    ),
    "traffic.other_network": (
        "le calcul {run} de {period} a été fait sur un autre réseau de rues ; relancez "
        "runAssignment sur le réseau chargé"
    ),
    "traffic.scenario_needs_edit": (
        "un scénario demande une modification : closeStreets, closeWays, removeLaneStreets "
        "ou removeLaneWays"
    ),
    "traffic.no_network": (
        "l'affectation du trafic demande le réseau de rues ; aucun n'est configuré"
    ),
    "weekday.MONDAY": "lundi",
    "weekday.TUESDAY": "mardi",
    "weekday.WEDNESDAY": "mercredi",
    "weekday.THURSDAY": "jeudi",
    "weekday.FRIDAY": "vendredi",
    "weekday.SATURDAY": "samedi",
    "weekday.SUNDAY": "dimanche",
    "area.no_coordinates": "{field} n'a pas de coordonnées",
    "area.no_rings": "{field} : le polygone {polygon} n'a pas d'anneau",
    "area.ring_too_short": (
        "{field} : l'anneau {ring} du polygone {polygon} a moins de 4 positions ; un anneau "
        "en demande au moins 4, la dernière répétant la première"
    ),
    "area.ring_open": (
        "{field} : l'anneau {ring} du polygone {polygon} n'est pas fermé : il commence en "
        "{first} et finit en {last} ; la dernière position doit répéter la première"
    ),
    "area.not_json": "{field} n'est pas du JSON : {detail}",
    "area.type": "{field} est un {kind} GeoJSON ; acceptés : Polygon ou MultiPolygon",
    "area.malformed": "{field} a des coordonnées mal formées : {detail}",
    "area.empty": "{field} n'est pas un polygone valide : il est vide",
    "area.invalid": "{field} n'est pas un polygone valide : {detail}",
    "area.lon_lat": "{field} : les coordonnées doivent être [longitude, latitude] en degrés",
    "area.far_from_issy": (
        "{field} s'étend jusqu'à {distance_km} km d'Issy {issy} ; les zones de service "
        "doivent rester à moins de {limit_km} km"
    ),
    "partner.name_length": "{field} doit faire de 1 à {maximum} caractères, reçu {value}",
    "partner.name_taken": (
        "un partenaire nommé {name} existe déjà ; les noms de partenaires sont uniques"
    ),
    "partner.not_found": "aucun partenaire d'id {id}",
    "api_key.expires_in_past": "expiresAt {value} est dans le passé",
    "api_key.not_found": "aucune de vos clés d'API n'a l'id {id}",
    "service.bad_kind": "kind {value} n'est pas un type de service",
    "service.retired": "le service {id} est retiré ; un service retiré ne peut plus changer",
    "import.batch_size": ("{field} a {size} lignes ; envoyez-en de 1 à {maximum} par appel"),
    "traffic.run_period": "le calcul {id} porte sur {run_period}, pas sur {period}",
    "traffic.run_not_converged": (
        "le calcul {id} n'a pas convergé (écart {gap}) ; il n'a pas de résultats"
    ),
    "validation.limit": "limit {value} ; accepté : de 1 à {maximum}",
    "traffic.algorithm": "algorithm {value} ; acceptés : FW, CFW, BFW",
    "traffic.relative_gap": "relativeGap {value} ; accepté : 0 < relativeGap < 1",
    "traffic.max_iterations": "maxIterations {value} ; accepté : de 1 à {maximum}",
    "traffic.min_volume_capacity": "minVolumeCapacity {value} ; accepté : de 0 à 100",
    "incident.no_timezone": (
        "occurredAt n'a pas de fuseau horaire ; par exemple 2026-11-30T08:30:00+01:00"
    ),
    "incident.time_range": (
        "occurredAt {value} doit tomber dans les 30 derniers jours, pas dans le futur"
    ),
    "service.not_owner": (
        "le service {id} appartient à un autre partenaire ; seul son propriétaire peut le modifier"
    ),
    "pricing.cap_below_unlock": (
        "dailyCapMinor {cap} est inférieur à unlockFeeMinor {unlock} ; un plafond doit couvrir "
        "au moins un déverrouillage"
    ),
    "gtfs.missing_files": "il manque {files} au flux GTFS ; rien n'a été importé",
    "gtfs.missing_calendar": (
        "il manque calendar.txt ou calendar_dates.txt au flux GTFS ; rien n'a été importé"
    ),
    "gtfs.missing_files_and_calendar": (
        "il manque {files} et calendar.txt ou calendar_dates.txt au flux GTFS ; rien n'a été "
        "importé"
    ),
    "gtfs.missing_columns": (
        "il manque la ou les colonnes {columns} à {file} ; rien n'a été importé"
    ),
    "live_feed.not_protobuf": (
        "le flux n'est pas un FeedMessage GTFS-Realtime en protobuf ({reason}) ; attendu : "
        "le protobuf binaire que sert un producteur GTFS-Realtime"
    ),
    "live_feed.unknown_trip": (
        "la course {trip_id} n'est pas dans les horaires du service : sa mise à jour est "
        "ignorée (importez le flux GTFS dont le flux temps réel reprend les trip_id)"
    ),
    "live_feed.unsupported_trip": (
        "course {trip_id} : schedule_relationship {relationship} n'est pas appliqué ; "
        "acceptés : SCHEDULED et CANCELED"
    ),
    "live_feed.bad_start_date": (
        "course {trip_id} : start_date {value} n'est pas une date (AAAAMMJJ)"
    ),
    "live_feed.unknown_stop": (
        "course {trip_id} : l'arrêt {stop} n'est pas desservi par cette course : sa mise à "
        "jour est ignorée"
    ),
    "live_feed.unknown_alert_stop": ("l'alerte cite l'arrêt {stop}, que le service n'a pas"),
    "live_feed.unknown_alert_route": (
        "l'alerte cite la ligne {route}, que les horaires du service n'ont pas"
    ),
    "live_feed.fetch_failed": "impossible de lire {url} : {reason}",
    "database.busy": (
        "la base de données est occupée par une autre écriture (un import ?) et celle-ci l'a "
        "attendue {waited_s} s : réessayez dans quelques secondes ; rien n'a été modifié"
    ),
    "live_feed.bad_url": (
        "l'url {url} n'est pas acceptée ; attendu : une adresse http:// ou https://"
    ),
    "live_feed.bad_interval": (
        "intervalS {value} n'est pas accepté ; attendu : des secondes entières de {low} à {high}"
    ),
    "gbfs.no_feed": "aucun flux GBFS trouvé dans {sources}",
    "traffic.way_not_id": "{field} : {value} n'est pas un identifiant de voie OSM",
    "traffic.way_not_positive": (
        "{field} : {value} n'est pas un identifiant de voie OSM (les identifiants sont > 0)"
    ),
    "places.first": "first {value} ; accepté : de 1 à 50",
    "places.text_too_long": "le texte dépasse 200 caractères",
    "validation.not_null": "{field} ne peut pas être null",
    "validation.empty": "{field} ne doit pas être vide",
    "validation.too_long": "{field} fait {length} caractères ; {maximum} au plus sont acceptés",
    "validation.negative": "{field} vaut {value} ; il doit être positif ou nul",
    "validation.far_from_issy": (
        "{field} {point} est à {distance_km} km d'Issy {issy} ; les points doivent être à "
        "moins de {limit_km} km"
    ),
    "validation.currency": (
        "{field} {value} n'est pas un code de devise ISO 4217 (par exemple EUR, GBP, CHF)"
    ),
    "validation.time_of_day": "{field} {value} n'est pas une heure HH:MM (de 00:00 à 24:00)",
    "validation.closes_before_opening": (
        "{field} ouvre à {opens} mais ferme à {closes} ; la fermeture doit suivre l'ouverture "
        "le même jour (utilisez 24:00, puis 00:00 le lendemain, pour la nuit)"
    ),
    "validation.hours_overlap": "{field} chevauche une autre plage le {day}",
    "scenario.UNKNOWN_STREET": (
        "aucune rue nommée {street!r} dans le réseau routier ; vouliez-vous dire {close} ?"
    ),
    "scenario.UNKNOWN_STREET_NO_HINT": "aucune rue nommée {street!r} dans le réseau routier",
    "scenario.ONE_LANE": (
        "{street} (tronçon {edge}) n'a qu'une voie dans ce sens ; fermez-la plutôt"
    ),
    "csv.edge": "Tronçon",
    "csv.osm_way_id": "Identifiant de voie OSM",
    "csv.street": "Rue",
    "csv.highway": "Classe de voie",
    "csv.lanes": "Voies",
    "csv.length_m": "Longueur (m)",
    "csv.volume_veh_h": "Volume (véh/h)",
    "csv.capacity_veh_h": "Capacité (véh/h)",
    "csv.volume_capacity": "Volume / capacité",
    "csv.free_flow_time_s": "Temps à vide (s)",
    "csv.congested_time_s": "Temps chargé (s)",
    "csv.delay_veh_h": "Retard (véh·h)",
    "csv.segment_key": "Clé du tronçon",
    "csv.rank": "Rang",
    "csv.period": "Période",
    "csv.streets": "Rues",
    "csv.lat": "Latitude",
    "csv.lon": "Longitude",
    "csv.total_delay_veh_h": "Retard total (véh·h)",
    "csv.max_volume_capacity": "Volume / capacité maximal",
    "csv.segments": "Tronçons",
}
