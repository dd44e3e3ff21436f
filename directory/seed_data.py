"""Reference data for the synthetic directory: taxonomy, sectors, places and words.

Kept apart from ``directory.seed`` so the generator reads as logic, and so the
taxonomy can be loaded on its own (``directory.demo``). Everything here is plain
data: changing it changes the seeded network, so tests pin only behaviour, not
these lists.
"""

# Skill domains -> skills: (name, synonyms separated by ';', description).
TAXONOMY = [
    (
        "Énergie & climat",
        [
            ("Photovoltaïque", "panneaux solaires; solaire; PV", "Étude, installation et maintenance de centrales solaires."),
            ("Rénovation énergétique", "isolation; performance énergétique; BBC", "Travaux et accompagnement pour réduire les consommations des bâtiments."),
            ("Audit énergétique", "diagnostic énergétique; DPE", "Diagnostic des consommations et plan d’actions chiffré."),
            ("Bilan carbone", "empreinte carbone; bilan GES; gaz à effet de serre", "Mesure et réduction des émissions de gaz à effet de serre."),
            ("Réseaux de chaleur", "chaleur renouvelable; géothermie; biomasse", "Production et distribution de chaleur renouvelable."),
            ("Éolien", "éoliennes; petit éolien", "Projets éoliens citoyens et participatifs."),
        ],
    ),
    (
        "Économie sociale",
        [
            ("Comptabilité", "expertise comptable; gestion financière; tenue de comptes", "Tenue des comptes, bilans et accompagnement financier."),
            ("RSE", "responsabilité sociétale des entreprises; responsabilité sociale; développement durable en entreprise", "Démarches de responsabilité sociétale et rapports extra-financiers."),
            ("Gouvernance coopérative", "SCOP; SCIC; coopérative; gouvernance partagée", "Création et animation de coopératives et de gouvernances partagées."),
            ("Insertion par l’activité économique", "IAE; chantier d’insertion; insertion professionnelle", "Parcours d’insertion par le travail et accompagnement socio-professionnel."),
            ("Finance solidaire", "épargne solidaire; microcrédit; financement participatif", "Outils de financement éthiques et participatifs."),
            ("Accompagnement à la création", "incubation; création d’entreprise; couveuse", "Accompagnement des porteurs de projets de l’idée au lancement."),
        ],
    ),
    (
        "Artisanat & réemploi",
        [
            ("Menuiserie", "menuisier; ébéniste; travail du bois", "Fabrication et réparation de mobilier et d’agencements en bois."),
            ("Réemploi des matériaux", "matériaux de réemploi; récupération; ressourcerie", "Collecte, tri et remise en circulation de matériaux."),
            ("Réparation", "repair café; réparation d’objets; électroménager", "Réparation d’objets du quotidien et ateliers d’autoréparation."),
            ("Couture & textile", "couture; upcycling textile; retouche", "Création, retouche et transformation de textiles."),
            ("Éco-construction", "construction bois; paille; terre crue; biosourcés", "Construction avec des matériaux biosourcés et locaux."),
            ("Céramique", "poterie; céramiste", "Création d’objets en terre et ateliers de pratique."),
        ],
    ),
    (
        "Alimentation & agriculture",
        [
            ("Maraîchage", "maraîcher; légumes bio; agriculture biologique", "Production de légumes de saison en agriculture biologique."),
            ("Agriculture urbaine", "potager urbain; jardins partagés; toits cultivés", "Jardins et cultures en ville, avec les habitants."),
            ("Circuits courts", "AMAP; vente directe; producteurs locaux", "Distribution directe entre producteurs et mangeurs."),
            ("Restauration collective", "cantine; restauration bio; traiteur", "Repas durables pour les cantines, entreprises et événements."),
            ("Compostage", "compost; biodéchets; lombricompostage", "Collecte et valorisation des biodéchets."),
            ("Apiculture", "abeilles; ruches; miel", "Installation et suivi de ruchers, sensibilisation aux pollinisateurs."),
        ],
    ),
    (
        "Mobilité",
        [
            ("Vélo", "réparation vélo; vélo-école; atelier vélo", "Ateliers d’autoréparation, apprentissage et promotion du vélo."),
            ("Cyclologistique", "livraison à vélo; vélo cargo; dernier kilomètre", "Livraisons urbaines en vélos cargos."),
            ("Autopartage", "covoiturage; voiture partagée", "Partage de véhicules entre habitants et entreprises."),
            ("Plans de mobilité", "PDM; plan de déplacements", "Diagnostic et plans de mobilité employeur ou territoire."),
        ],
    ),
    (
        "Numérique responsable",
        [
            ("Développement web", "site internet; applications web; développeur", "Conception et développement de sites et d’applications."),
            ("Logiciels libres", "open source; libre; GNU/Linux", "Déploiement et formation aux logiciels libres."),
            ("Écoconception numérique", "sobriété numérique; numérique responsable; green IT", "Services numériques plus sobres et accessibles."),
            ("Reconditionnement informatique", "ordinateurs reconditionnés; réemploi informatique", "Remise en état et redistribution de matériel informatique."),
            ("Données ouvertes", "open data; opendata", "Publication et réutilisation de données publiques."),
            ("Inclusion numérique", "médiation numérique; fracture numérique", "Accompagnement des publics éloignés du numérique."),
        ],
    ),
    (
        "Communication & médiation",
        [
            ("Graphisme", "design graphique; identité visuelle; illustration", "Identités visuelles, affiches et supports imprimés."),
            ("Facilitation", "animation d’ateliers; intelligence collective; facilitation graphique", "Animation de réunions et de démarches collectives."),
            ("Éducation à l’environnement", "sensibilisation; éducation populaire; animation nature", "Animations pédagogiques pour tous les publics."),
            ("Communication responsable", "communication éthique; écoconception des supports", "Stratégies et supports de communication sobres."),
            ("Vidéo", "audiovisuel; film; montage", "Films documentaires, captations et ateliers vidéo."),
        ],
    ),
    (
        "Urbanisme & territoire",
        [
            ("Concertation", "démocratie participative; participation citoyenne; consultation", "Conception et animation de démarches participatives."),
            ("Urbanisme transitoire", "tiers-lieu; occupation temporaire; friche", "Occupation temporaire de lieux vacants et tiers-lieux."),
            ("Architecture", "architecte; maîtrise d’œuvre", "Conception de bâtiments sobres et réhabilitations."),
            ("Biodiversité", "écologie urbaine; renaturation; génie écologique", "Diagnostics écologiques et projets de renaturation."),
            ("Gestion de l’eau", "eaux pluviales; récupération d’eau; assainissement", "Gestion durable de l’eau à la parcelle et au territoire."),
        ],
    ),
]

SECTORS = [
    "Alimentation durable",
    "Bâtiment & habitat",
    "Culture & éducation",
    "Économie circulaire",
    "Énergie",
    "Environnement & biodiversité",
    "Finance solidaire",
    "Insertion & emploi",
    "Mobilité",
    "Numérique",
    "Santé & bien-être",
    "Textile & mode",
    "Tourisme durable",
]

# Which sectors go with a skill domain (so a structure's sectors fit its skills).
DOMAIN_SECTORS = {
    "Énergie & climat": ["Énergie", "Bâtiment & habitat"],
    "Économie sociale": ["Insertion & emploi", "Finance solidaire"],
    "Artisanat & réemploi": ["Économie circulaire", "Textile & mode", "Bâtiment & habitat"],
    "Alimentation & agriculture": ["Alimentation durable", "Environnement & biodiversité"],
    "Mobilité": ["Mobilité"],
    "Numérique responsable": ["Numérique", "Économie circulaire"],
    "Communication & médiation": ["Culture & éducation"],
    "Urbanisme & territoire": ["Environnement & biodiversité", "Bâtiment & habitat", "Tourisme durable"],
}

# (city, postcode, latitude, longitude, weight, phone prefix): real postcodes,
# approximate town-centre coordinates. Weights favour the Métropole Européenne de Lille.
CITIES = [
    ("Lille", "59000", 50.6292, 3.0573, 40, "03 20"),
    ("Lille", "59800", 50.6330, 3.0700, 12, "03 20"),
    ("Hellemmes", "59260", 50.6270, 3.1100, 4, "03 20"),
    ("Lomme", "59160", 50.6437, 2.9870, 5, "03 20"),
    ("Roubaix", "59100", 50.6942, 3.1746, 14, "03 20"),
    ("Tourcoing", "59200", 50.7239, 3.1612, 10, "03 20"),
    ("Villeneuve-d’Ascq", "59650", 50.6233, 3.1450, 10, "03 20"),
    ("Lambersart", "59130", 50.6500, 3.0250, 4, "03 20"),
    ("Wattrelos", "59150", 50.7016, 3.2170, 3, "03 20"),
    ("Armentières", "59280", 50.6880, 2.8800, 3, "03 20"),
    ("Marcq-en-Barœul", "59700", 50.6711, 3.0970, 4, "03 20"),
    ("Mons-en-Barœul", "59370", 50.6417, 3.1100, 3, "03 20"),
    ("La Madeleine", "59110", 50.6550, 3.0700, 3, "03 20"),
    ("Croix", "59170", 50.6780, 3.1500, 2, "03 20"),
    ("Wasquehal", "59290", 50.6700, 3.1300, 2, "03 20"),
    ("Loos", "59120", 50.6120, 3.0170, 2, "03 20"),
    ("Ronchin", "59790", 50.6040, 3.0890, 2, "03 20"),
    ("Faches-Thumesnil", "59155", 50.5890, 3.0730, 2, "03 20"),
    ("Haubourdin", "59320", 50.6090, 2.9870, 2, "03 20"),
    ("Seclin", "59113", 50.5486, 3.0294, 2, "03 20"),
    ("Halluin", "59250", 50.7840, 3.1260, 2, "03 20"),
    ("Comines", "59560", 50.7610, 3.0080, 1, "03 20"),
    ("Arras", "62000", 50.2910, 2.7775, 6, "03 21"),
    ("Lens", "62300", 50.4320, 2.8330, 5, "03 21"),
    ("Liévin", "62800", 50.4220, 2.7780, 2, "03 21"),
    ("Béthune", "62400", 50.5300, 2.6400, 3, "03 21"),
    ("Calais", "62100", 50.9513, 1.8587, 3, "03 21"),
    ("Boulogne-sur-Mer", "62200", 50.7264, 1.6147, 3, "03 21"),
    ("Saint-Omer", "62500", 50.7500, 2.2520, 2, "03 21"),
    ("Douai", "59500", 50.3700, 3.0800, 4, "03 27"),
    ("Valenciennes", "59300", 50.3570, 3.5230, 5, "03 27"),
    ("Cambrai", "59400", 50.1760, 3.2350, 2, "03 27"),
    ("Maubeuge", "59600", 50.2775, 3.9734, 2, "03 27"),
    ("Dunkerque", "59140", 51.0343, 2.3768, 5, "03 28"),
    ("Hazebrouck", "59190", 50.7230, 2.5380, 2, "03 28"),
    ("Amiens", "80000", 49.8941, 2.2958, 6, "03 22"),
    ("Abbeville", "80100", 50.1054, 1.8340, 2, "03 22"),
    ("Beauvais", "60000", 49.4300, 2.0800, 3, "03 44"),
    ("Compiègne", "60200", 49.4179, 2.8261, 2, "03 44"),
    ("Saint-Quentin", "02100", 49.8465, 3.2876, 2, "03 23"),
    ("Laon", "02000", 49.5640, 3.6200, 1, "03 23"),
    ("Tournai", "7500", 50.6056, 3.3878, 1, "+32 69"),
    ("Mouscron", "7700", 50.7436, 3.2139, 1, "+32 56"),
]

STREETS = [
    "rue Gambetta", "rue de Wazemmes", "boulevard Victor Hugo", "rue Solférino", "avenue de la République",
    "rue Pierre Legrand", "rue du Molinel", "rue Nationale", "place du Général de Gaulle", "rue Jean Jaurès",
    "rue Pasteur", "rue de la Gare", "chemin des Prés", "rue Victor Hugo", "rue de l’Épeule", "rue du Faubourg de Roubaix",
    "boulevard de la Liberté", "rue des Postes", "rue d’Arras", "rue Saint-Sauveur", "quai de l’Ouest", "rue Colbert",
    "rue Kuhlmann", "rue du Long Pot", "avenue Foch", "rue de Lannoy", "rue Jules Guesde", "rue Roger Salengro",
    "rue des Arts", "rue de Béthune", "rue Léon Gambetta", "rue du Général Leclerc", "allée de la Filature",
]

# Name parts: "<head> <core> [<place>]" gives tens of thousands of distinct, plausible names.
NAME_HEADS = [
    "Atelier", "Coopérative", "Collectif", "Association", "La Fabrique", "Les Ateliers", "Maison", "Réseau", "Compagnie",
    "Agence", "Bureau d’études", "Jardin", "Le Labo", "L’Établi", "La Ruche", "Le Comptoir", "La Manufacture",
    "Les Amis", "Pôle", "La Boîte", "Le Relais", "Les Jardins", "Recyclerie", "La Caravane", "Le Chantier",
]
NAME_CORES = [
    "du Réemploi", "des Possibles", "Solaire", "de la Transition", "Vélo", "Terre & Bois", "des Communs", "Zéro Déchet",
    "du Lin", "des Savoirs", "Énergies Citoyennes", "Bois Vivant", "des Abeilles", "du Compost", "Numérique Libre",
    "de la Friche", "des Quatre Saisons", "Cargo", "Paille & Chanvre", "des Coopérateurs", "du Faire Ensemble",
    "Circulaire", "de l’Entraide", "Terre Crue", "des Petits Pas", "Biodiversité", "du Canal", "de la Deûle",
    "des Tisserands", "Grain de Sel", "Pain & Partage", "des Faubourgs", "Lumière", "des Alouettes", "du Beffroi",
    "des Terrils", "Marée Verte", "de la Filature", "Courant Alternatif", "Ressources", "du Bocage", "des Oyats",
    "Éco-Logis", "du Vent", "Mobil’Idées", "des Jardiniers", "Ohé Tri", "Récup’", "des Métiers", "des Estaminets",
]
NAME_PLACES = [
    "", "", "", "", "", "de Fives", "de Wazemmes", "du Vieux-Lille", "de Moulins", "de Saint-Maurice", "du Nord",
    "des Flandres", "de l’Artois", "du Hainaut", "de la Métropole", "de l’Épeule", "du Pile", "de la Vallée de la Lys",
    "du Bassin minier", "de la Côte d’Opale", "de Picardie", "du Cambrésis", "de l’Avesnois",
]

LEGAL_FORMS = {
    "individuel": ["Micro-entreprise", "Entreprise individuelle", "EURL", "SASU"],
    "collectif": [
        "Association loi 1901", "Association loi 1901", "SCOP SARL", "SCOP SA", "SCIC SAS", "SAS ESUS", "SARL",
        "Coopérative d’activités et d’emploi",
    ],
    "territoire": ["Collectivité territoriale", "EPCI", "Association loi 1901", "SCIC SAS", "Syndicat mixte", "GIP"],
}

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Emma", "Lucie", "Clara", "Pauline", "Marie",
    "Anaïs", "Élodie", "Nadia", "Fatima", "Salomé", "Zoé", "Mathilde", "Hélène", "Thomas", "Lucas", "Hugo", "Nicolas",
    "Julien", "Maxime", "Antoine", "Mehdi", "Karim", "Alexandre", "Romain", "Baptiste", "Quentin", "Théo", "Louis",
    "François", "Benoît", "Sébastien", "Yann", "Jérôme", "Dominique", "Claude", "Sacha", "Noé", "Kévin", "Amandine",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Lefebvre", "Leroy", "Roux", "Fournier", "Lemaire", "Dupont", "Lambert",
    "Vandenberghe", "Delattre", "Dhondt", "Vanhoutte", "Descamps", "Deschamps", "Delannoy", "Verhaeghe", "Lemoine",
    "Caron", "Carpentier", "Duhamel", "Lecomte", "Wattel", "Dumont", "Petit", "Moreau", "Benali", "Haddad", "Mekki",
    "Nguyen", "Kowalski", "Boulanger", "Leclercq", "Deleplanque", "Vasseur", "Dufour", "Hennebelle", "Cuvelier",
    "Debruyne", "Ramos", "Fontaine", "Lefort", "Mortier", "Desmet", "Vermeersch", "Pruvost", "Tison",
]
ROLES = [
    "Co-gérante", "Co-gérant", "Directrice", "Directeur", "Chargée de projets", "Chargé de projets", "Coordinatrice",
    "Coordinateur", "Présidente", "Président", "Responsable administrative", "Animatrice", "Animateur",
    "Chargée de communication", "Fondatrice", "Fondateur", "Trésorier", "Chargée de mission transition",
]

AUDIENCES = [
    "les collectivités", "les habitants", "les entreprises du territoire", "les bailleurs sociaux", "les associations",
    "les particuliers", "les écoles et les centres sociaux", "les TPE et PME", "les acteurs culturels",
]
SUMMARY_TEMPLATES = [
    "{skill1} et {skill2} pour {audience} {where}.",
    "Nous accompagnons {audience} en {skill1_lower}, {where}.",
    "{kind} dans la transition : {skill1_lower} et {skill2_lower}.",
    "Projets de {skill1_lower} menés avec {audience} {where}.",
]
DESCRIPTION_SENTENCES = [
    "Créée en {founded} {where}, la structure réunit aujourd’hui {team} personnes autour d’un même projet.",
    "Nos domaines : {skills}.",
    "Nous intervenons pour {audience}, de l’étude de faisabilité à la réalisation.",
    "Nos valeurs : coopération, sobriété et ancrage local.",
    "Nous travaillons en lien étroit avec les autres membres du réseau pour proposer des réponses complètes.",
    "Un atelier ouvert au public accueille des permanences chaque semaine.",
    "Nos actions relèvent des secteurs {sectors}.",
    "Nous proposons aussi des formations courtes, sur site ou à distance.",
    "Chaque projet commence par un temps d’écoute et un diagnostic partagé.",
]

# Permanent tenants of LaGrappe (hand-written, not generated): they give the demo
# its recognisable faces. Skills and sectors by name (must exist in TAXONOMY/SECTORS).
TENANTS = [
    {
        "slug": "atelier-du-reemploi-de-fives",
        "name": "L’Atelier du Réemploi de Fives",
        "category": "collectif",
        "legal_form": "SCIC SAS",
        "memberships": ["locataire", "cluster"],
        "summary": "Ressourcerie de matériaux du bâtiment : collecte sur chantiers, tri, revente et ateliers d’autoréparation.",
        "description": (
            "Installée à LaGrappe depuis l’ouverture, la coopérative collecte les matériaux encore utilisables sur les "
            "chantiers de la métropole, les remet en état et les revend aux particuliers comme aux entreprises.\n\n"
            "Elle anime chaque samedi un atelier d’autoréparation ouvert à toutes et tous."
        ),
        "skills": ["Réemploi des matériaux", "Menuiserie", "Réparation"],
        "sectors": ["Économie circulaire", "Bâtiment & habitat"],
        "address": "Rue Pierre Legrand", "postcode": "59800", "city": "Lille", "latitude": 50.6310, "longitude": 3.0840,
        "founded": 2014, "joined": "2015-03-01", "website": "https://atelier-reemploi-fives.example",
        "email": "bonjour@atelier-reemploi-fives.example", "phone": "03 20 00 10 01",
        "people": [
            ("Camille", "Delattre", "Co-gérante", True),
            ("Mehdi", "Benali", "Responsable de l’atelier", True),
            ("Sophie", "Vanhoutte", "Comptable", False),
        ],
    },
    {
        "slug": "energies-citoyennes-metropole",
        "name": "Énergies Citoyennes de la Métropole",
        "category": "territoire",
        "legal_form": "SCIC SAS",
        "memberships": ["locataire", "cluster", "reseau"],
        "summary": "Des toits solaires financés et gouvernés par les habitants de la métropole lilloise.",
        "description": (
            "La coopérative installe des centrales photovoltaïques sur les toits publics et privés, avec l’épargne "
            "des habitants. Elle accompagne aussi les copropriétés dans leur rénovation énergétique."
        ),
        "skills": ["Photovoltaïque", "Rénovation énergétique", "Finance solidaire"],
        "sectors": ["Énergie", "Finance solidaire"],
        "address": "Rue Pierre Legrand", "postcode": "59800", "city": "Lille", "latitude": 50.6312, "longitude": 3.0838,
        "founded": 2016, "joined": "2017-09-15", "website": "https://energies-citoyennes.example",
        "email": "contact@energies-citoyennes.example", "phone": "03 20 00 10 02",
        "people": [("Julien", "Dhondt", "Directeur", True), ("Anaïs", "Lemaire", "Chargée de projets solaires", False)],
    },
    {
        "slug": "velo-cargo-coop",
        "name": "Vélo Cargo Coop",
        "category": "collectif",
        "legal_form": "SCOP SARL",
        "memberships": ["locataire", "cluster"],
        "summary": "Livraisons du dernier kilomètre en vélos cargos électriques dans Lille et sa proche couronne.",
        "description": "Coopérative de coursiers salariés ; atelier de maintenance partagé avec les autres locataires.",
        "skills": ["Cyclologistique", "Vélo"],
        "sectors": ["Mobilité"],
        "address": "Rue Pierre Legrand", "postcode": "59800", "city": "Lille", "latitude": 50.6315, "longitude": 3.0843,
        "founded": 2018, "joined": "2019-01-10", "website": "https://velo-cargo-coop.example",
        "email": "livraisons@velo-cargo-coop.example", "phone": "03 20 00 10 03",
        "people": [("Hugo", "Verhaeghe", "Co-gérant", True), ("Inès", "Haddad", "Coordinatrice des tournées", True)],
    },
    {
        "slug": "libre-numerique-nord",
        "name": "Libre & Numérique Nord",
        "category": "collectif",
        "legal_form": "Association loi 1901",
        "memberships": ["locataire", "reseau"],
        "summary": "Reconditionnement d’ordinateurs, logiciels libres et médiation numérique pour tous.",
        "description": "Permanences « install party » le premier mardi du mois, ateliers pour les seniors et les associations.",
        "skills": ["Reconditionnement informatique", "Logiciels libres", "Inclusion numérique"],
        "sectors": ["Numérique", "Économie circulaire"],
        "address": "Rue Pierre Legrand", "postcode": "59800", "city": "Lille", "latitude": 50.6308, "longitude": 3.0836,
        "founded": 2011, "joined": "2015-03-01", "website": "https://libre-numerique-nord.example",
        "email": "asso@libre-numerique-nord.example", "phone": "03 20 00 10 04",
        "people": [("Yann", "Cuvelier", "Président", True), ("Lucie", "Nguyen", "Médiatrice numérique", False)],
    },
    {
        "slug": "claire-dumont-graphisme",
        "name": "Claire Dumont — Graphisme responsable",
        "category": "individuel",
        "legal_form": "Micro-entreprise",
        "memberships": ["locataire"],
        "summary": "Identités visuelles et supports écoconçus pour les structures de l’économie sociale et solidaire.",
        "description": "Graphiste indépendante installée à LaGrappe, je travaille avec des encres végétales et des imprimeurs locaux.",
        "skills": ["Graphisme", "Communication responsable"],
        "sectors": ["Culture & éducation"],
        "address": "Rue Pierre Legrand", "postcode": "59800", "city": "Lille", "latitude": 50.6311, "longitude": 3.0841,
        "founded": 2020, "joined": "2021-06-01", "website": "https://claire-dumont.example",
        "email": "claire@claire-dumont.example", "phone": "06 12 34 56 78",
        "people": [("Claire", "Dumont", "Graphiste", True)],
    },
    {
        "slug": "terres-de-fives-compost",
        "name": "Terres de Fives",
        "category": "territoire",
        "legal_form": "Association loi 1901",
        "memberships": ["locataire", "partenaire"],
        "summary": "Compostage de quartier, jardins partagés et sensibilisation à la biodiversité urbaine.",
        "description": "L’association anime 14 sites de compostage partagé et le jardin sur le toit de LaGrappe.",
        "skills": ["Compostage", "Agriculture urbaine", "Éducation à l’environnement"],
        "sectors": ["Alimentation durable", "Environnement & biodiversité"],
        "address": "Rue Pierre Legrand", "postcode": "59800", "city": "Lille", "latitude": 50.6314, "longitude": 3.0835,
        "founded": 2012, "joined": "2015-03-01", "website": "https://terres-de-fives.example",
        "email": "compost@terres-de-fives.example", "phone": "03 20 00 10 06",
        "people": [("Fatima", "Mekki", "Coordinatrice", True), ("Louis", "Desmet", "Maître composteur", False)],
    },
]
