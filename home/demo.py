"""The French demo site of LaGrappe (``manage.py load_demo``).

Idempotent by construction: every object is looked up by a stable key (page slug
under its parent, image title, username) and created only when missing. An object
that already exists is left exactly as it is — no new revision, no republication —
so running the loader twice changes nothing, and an editor's changes survive it.
"""

import io
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from directory.seed_data import LAGRAPPE_ADDRESS, TENANTS
from home.models import (
    ContactSettings,
    ContentPage,
    EventIndexPage,
    EventPage,
    FormField,
    FormPage,
    HomePage,
    NavigationSettings,
    NewsIndexPage,
    NewsPage,
)

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "lagrappe"  # local use only: documented in docs/editorial.md
ADMIN_EMAIL = "admin@lagrappe.example"
HOME_SLUG = "accueil"


def _noop(message):
    pass


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 19 * l) // 433
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def french_public_holidays(year: int) -> set[date]:
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    return {date(year, m, d) for m, d in fixed} | {easter + timedelta(days=n) for n in (1, 39, 50)}


def opening_day(day: date) -> date:
    """The first day from ``day`` on when LaGrappe holds events: a weekday, not a public
    holiday, not the year-end closure (24 December – 2 January). The demo's events are
    placed relative to today; without this a forum could fall on 1 January."""

    def closed(d: date) -> bool:
        year_end = (d.month == 12 and d.day >= 24) or (d.month == 1 and d.day <= 2)
        return d.weekday() >= 5 or year_end or d in french_public_holidays(d.year)

    while closed(day):
        day += timedelta(days=1)
    return day


FRENCH_NUMBERS = {2: "Deux", 3: "Trois", 4: "Quatre", 5: "Cinq", 6: "Six", 7: "Sept", 8: "Huit", 9: "Neuf",
                  10: "Dix", 11: "Onze", 12: "Douze"}  # fmt: skip


def tenants_count_text() -> str:
    """« Six structures » for the six tenants of the demo: the page says what the directory lists."""
    count = len(TENANTS)
    return f"{FRENCH_NUMBERS.get(count, count)} structures"


# ---------------------------------------------------------------------------
# Small builders for StreamField content (raw JSON form, so ids stay plain ints)
# ---------------------------------------------------------------------------
def heading(text, size="h2"):
    return {"type": "heading", "value": {"heading_text": text, "size": size}}


def paragraph(html):
    return {"type": "paragraph", "value": {"rich_text": html}}


def quote(text, attribution=""):
    return {"type": "quote", "value": {"quote": text, "attribution": attribution}}


def image(img, alt_text, caption=""):
    return {"type": "image", "value": {"image": img.pk, "alt_text": alt_text, "caption": caption}}


def call_to_action(title, text, link_text, page=None, url=""):
    link = {"link_text": link_text, "page": page.pk if page else None, "url": url}
    return {"type": "call_to_action", "value": {"title": title, "text": text, "link": link}}


def faq(title, items):
    return {
        "type": "faq",
        "value": {"title": title, "items": [{"question": q, "answer": a} for q, a in items]},
    }


def page_link(page, text):
    return f'<a linktype="page" id="{page.pk}">{text}</a>'


def nav_link(text, page=None, url=""):
    return {"type": "link", "value": {"link_text": text, "page": page.pk if page else None, "url": url}}


# ---------------------------------------------------------------------------
# Images, drawn with Pillow so the demo needs no download and no binary in git
# ---------------------------------------------------------------------------
DEMO_IMAGES = {
    "hero": (
        "LaGrappe — le lieu partagé",
        "Illustration : des grains de raisin violets et verts réunis en grappe sur un fond clair.",
        ((91, 42, 110), (47, 107, 58)),
    ),
    "atelier": (
        "Atelier collectif à LaGrappe",
        "Illustration : plusieurs cercles colorés se rejoignent autour d’une grande table.",
        ((47, 107, 58), (245, 241, 247)),
    ),
    "territoire": (
        "Projets de territoire",
        "Illustration : une carte stylisée de quartiers reliés par des lignes.",
        ((63, 27, 77), (255, 191, 71)),
    ),
}


def _draw_image(colours, size=(1600, 900)):
    from PIL import Image as PILImage
    from PIL import ImageDraw

    start, end = colours
    width, height = size
    canvas = PILImage.new("RGB", size, start)
    draw = ImageDraw.Draw(canvas)
    for x in range(width):  # horizontal gradient
        ratio = x / width
        colour = tuple(int(start[i] + (end[i] - start[i]) * ratio) for i in range(3))
        draw.line([(x, 0), (x, height)], fill=colour)
    # A bunch of grapes: circles in a triangle.
    radius = 60
    for row in range(4):
        for col in range(4 - row):
            cx = width // 2 - (3 - row) * radius + col * 2 * radius
            cy = height // 3 + row * int(radius * 1.7)
            draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=(245, 241, 247), outline=start)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def ensure_images(log=_noop):
    Image = get_image_model()
    images = {}
    for key, (title, description, colours) in DEMO_IMAGES.items():
        img = Image.objects.filter(title=title).first()
        if img is None:
            img = Image(title=title, description=description)
            img.file = ImageFile(_draw_image(colours), name=f"lagrappe-demo-{key}.png")
            img.save()
            log(f"  image créée : {title}")
        images[key] = img
    return images


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------
class PageBuilder:
    """Creates a page under a parent unless a page with that slug is already there."""

    def __init__(self, log):
        self.log = log
        self.created = []

    def ensure(self, parent, model, slug, **fields):
        existing = parent.get_children().filter(slug=slug).first()
        if existing is not None:
            return existing.specific, False
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.created.append(page)
        self.log(f"  page créée : {page.title} ({page.url_path})")
        return page, True


def ensure_home(builder, images):
    root = Page.get_first_root_node()
    home = HomePage.objects.child_of(root).first()
    if home is not None:
        return home, False
    home, created = builder.ensure(
        root,
        HomePage,
        HOME_SLUG,
        title="LaGrappe — un lieu partagé pour des projets collaboratifs",
        seo_title="LaGrappe, lieu partagé à Lille pour des projets collaboratifs",
        search_description=(
            "LaGrappe accueille à Lille des projets individuels, collectifs et de territoire "
            "qui préfèrent la coopération à la concurrence. Un lieu porté par initiativesETcité."
        ),
        hero_title="LaGrappe — un lieu partagé pour des projets collaboratifs",
        hero_text=(
            "À Lille, un espace de travail et de rencontre où des entreprises, des associations "
            "et des porteurs de projets du développement durable coopèrent au quotidien."
        ),
        hero_image=images["hero"],
        hero_image_alt="Une grappe de raisin stylisée, symbole des projets qui grandissent ensemble.",
        social_image=images["hero"],
        introduction=(
            "<p>LaGrappe est le lieu d’<b>initiativesETcité</b>, un pôle territorial de coopération "
            "économique (PTCE) qui réunit depuis 2009 une vingtaine d’entreprises engagées dans le "
            "développement durable. Ici, on partage des bureaux, des salles et surtout des idées : "
            "chacun avance sur son projet, et tous gagnent à avancer ensemble.</p>"
        ),
    )
    return home, created


def replace_default_site_root(home, log=_noop):
    """Point the default Site at the home page and remove Wagtail's "Welcome" placeholder."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
        log("  site par défaut créé")
    if site.root_page_id != home.pk or site.site_name != "LaGrappe":
        site.root_page = home
        site.site_name = "LaGrappe"
        site.save()
        log("  site par défaut : racine = page d’accueil LaGrappe")
    # Wagtail's placeholder address (localhost:80) would put http://localhost/ in the
    # sitemap, robots.txt and page URLs: take the address the demo is served on.
    served = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    if (site.hostname, site.port) == ("localhost", 80) and served.hostname:
        site.hostname = served.hostname
        site.port = served.port or (443 if served.scheme == "https" else 80)
        site.save()
        log(f"  site par défaut : adresse {site.root_url}")
    base_page_type = ContentType.objects.get_for_model(Page)
    for welcome in Page.objects.filter(depth=2, content_type=base_page_type, numchild=0):
        if not Site.objects.filter(root_page=welcome).exists():
            log(f"  page d’exemple de Wagtail supprimée : {welcome.title}")
            welcome.delete()
    return site


def build_principles(builder, home, images):
    principles, _ = builder.ensure(
        home,
        ContentPage,
        "nos-principes",
        title="Nos principes",
        introduction="Deux idées simples guident la vie de LaGrappe et de ceux qui s’y installent.",
        search_description="Coopération plutôt que concurrence, droit à l’initiative : les principes de LaGrappe.",
        show_in_menus=True,
        body=[
            paragraph(
                "<p>LaGrappe n’est pas un centre d’affaires comme les autres. Les structures qui s’y "
                "retrouvent ont fait un choix : construire leur activité avec les autres plutôt que "
                "contre eux, et laisser à chacun la liberté d’entreprendre.</p>"
            ),
        ],
    )
    cooperation, _ = builder.ensure(
        principles,
        ContentPage,
        "cooperation-plutot-que-concurrence",
        title="Coopération plutôt que concurrence",
        introduction="Partager ses compétences, ses contacts et ses outils rend chaque projet plus solide.",
        search_description="Pourquoi les membres de LaGrappe choisissent de coopérer plutôt que de se concurrencer.",
        body=[
            paragraph(
                "<p>Dans un secteur où les moyens sont comptés, chacun est tenté de garder pour lui ses "
                "contacts, ses méthodes et ses marchés. À LaGrappe, nous faisons le pari inverse : une "
                "réponse commune à un appel d’offres, un outil mutualisé ou un conseil donné autour d’un "
                "café profitent à tout le monde.</p>"
            ),
            heading("Concrètement"),
            paragraph(
                "<ul><li>des compétences échangées entre membres, sans facturation systématique ;</li>"
                "<li>des projets montés à plusieurs structures quand aucune ne peut y répondre seule ;</li>"
                "<li>des équipements et des espaces partagés plutôt que dupliqués.</li></ul>"
            ),
            quote(
                "Seul on va plus vite, ensemble on va plus loin.",
                "Proverbe souvent cité par les membres du cluster",
            ),
            image(
                images["atelier"],
                "Illustration d’un atelier collectif autour d’une grande table.",
                "Un atelier entre membres.",
            ),
        ],
    )
    initiative, _ = builder.ensure(
        principles,
        ContentPage,
        "droit-a-l-initiative",
        title="Le droit à l’initiative",
        introduction="Chacun peut proposer, tester et lancer un projet, sans attendre qu’on l’y autorise.",
        search_description="Le droit à l’initiative : à LaGrappe, toute personne peut proposer et lancer un projet.",
        body=[
            paragraph(
                "<p>Une idée d’atelier, un groupement d’achats, une réponse commune à un besoin du "
                "quartier : à LaGrappe, celui ou celle qui a l’idée peut la porter. Le collectif "
                "apporte son regard, ses réseaux et, si besoin, un coup de main, mais il ne décide "
                "pas à la place de la personne qui s’engage.</p>"
            ),
            heading("Ce que cela implique"),
            paragraph(
                "<p>Le droit à l’initiative va avec une responsabilité : informer les autres, accepter "
                "leurs remarques et partager ce qui a été appris, que le projet réussisse ou non.</p>"
            ),
        ],
    )
    return principles, cooperation, initiative


def build_audience(builder, home, images, form_page):
    audience, _ = builder.ensure(
        home,
        ContentPage,
        "a-qui-s-adresse-lagrappe",
        title="À qui s’adresse LaGrappe ?",
        introduction="Trois familles de projets se côtoient à LaGrappe et s’enrichissent les unes les autres.",
        search_description="Projets individuels, projets collectifs et projets de territoire : qui peut rejoindre LaGrappe.",
        show_in_menus=True,
        body=[
            heading("Les projets individuels"),
            paragraph(
                "<p>Indépendants, créateurs d’entreprise, consultants : vous portez seul votre activité "
                "mais vous ne voulez plus travailler isolé. LaGrappe vous offre un poste de travail, "
                "des voisins qui partagent vos valeurs et des occasions régulières de collaborer.</p>"
            ),
            heading("Les projets collectifs"),
            paragraph(
                "<p>Associations, coopératives, petites équipes : vous avez besoin d’un bureau, d’une "
                "salle pour vos réunions et de partenaires pour aller plus loin. Vous trouverez à "
                "LaGrappe des structures avec qui mutualiser moyens et compétences.</p>"
            ),
            heading("Les projets de territoire"),
            paragraph(
                "<p>Collectivités, réseaux, démarches de quartier : vous agissez pour un territoire et "
                "cherchez des acteurs de terrain pour expérimenter. LaGrappe est un point d’appui pour "
                "réunir les bonnes personnes autour de la table.</p>"
            ),
            image(
                images["territoire"],
                "Carte stylisée de quartiers reliés entre eux.",
                "Des projets ancrés dans leur territoire.",
            ),
            call_to_action(
                "Envie de vous installer ?",
                "Présentez-nous votre projet : nous vous répondrons sous quinze jours.",
                "Devenir locataire permanent",
                page=form_page,
            ),
        ],
    )
    return audience


def build_form_page(builder, home):
    fields = [
        ("Nom et prénom", "singleline", True, "", ""),
        ("Nom de votre structure ou de votre projet", "singleline", True, "", ""),
        ("Adresse e-mail", "email", True, "", ""),
        ("Téléphone", "singleline", False, "", ""),
        (
            "Type de projet",
            "radio",
            True,
            "Projet individuel\nProjet collectif\nProjet de territoire",
            "",
        ),
        (
            "Présentez votre projet",
            "multiline",
            True,
            "",
            "Votre activité, vos valeurs, ce que vous aimeriez partager avec les autres locataires.",
        ),
        (
            "De quels espaces avez-vous besoin ?",
            "checkboxes",
            False,
            "Un poste de travail en espace partagé\nUn bureau fermé\nDes salles de réunion\nUn espace de stockage",
            "",
        ),
        ("Date d’arrivée souhaitée", "date", False, "", ""),
        (
            "J’accepte que LaGrappe utilise ces informations pour étudier ma candidature",
            "checkbox",
            True,
            "",
            "Vos données ne sont utilisées que pour traiter votre demande et ne sont jamais cédées.",
        ),
    ]
    form_fields = [
        FormField(sort_order=i, label=label, field_type=ftype, required=required, choices=choices, help_text=help_text)
        for i, (label, ftype, required, choices, help_text) in enumerate(fields)
    ]
    page, _ = builder.ensure(
        home,
        FormPage,
        "devenir-locataire-permanent",
        title="Devenir locataire permanent",
        search_description="Candidatez pour installer durablement votre projet à LaGrappe, à Lille.",
        show_in_menus=True,
        introduction=(
            "<p>Les locataires permanents disposent d’un espace à l’année à LaGrappe et participent "
            "à la vie du lieu. Décrivez-nous votre projet : l’équipe d’initiativesETcité étudie "
            "chaque candidature et vous propose une rencontre.</p>"
        ),
        thank_you_text=(
            "<p>Merci pour votre candidature ! Nous l’avons bien reçue et nous reviendrons vers vous "
            "sous quinze jours pour organiser une visite de LaGrappe.</p>"
        ),
        to_address="candidatures@lagrappe.example",
        from_address="ne-pas-repondre@lagrappe.example",
        subject="Nouvelle candidature : devenir locataire permanent",
        form_fields=form_fields,
    )
    return page


def build_tenants(builder, home, form_page):
    tenants, _ = builder.ensure(
        home,
        ContentPage,
        "les-locataires-permanents",
        title="Les locataires permanents",
        introduction=f"{tenants_count_text()} font vivre LaGrappe tout au long de l’année.",
        search_description="Qui sont les locataires permanents de LaGrappe et comment les rejoindre.",
        show_in_menus=True,
        body=[
            paragraph(
                "<p>Les locataires permanents sont les structures installées à l’année à LaGrappe. "
                "Entreprises de l’économie sociale et solidaire, bureaux d’études en environnement, "
                "associations d’éducation populaire : elles partagent les lieux, les équipements et "
                "une même envie de coopérer.</p>"
            ),
            paragraph(
                "<p>Être locataire permanent, c’est aussi prendre part aux décisions sur la vie du lieu "
                "et accueillir les nouveaux venus. Vous souhaitez nous rejoindre ? "
                f"{page_link(form_page, 'Déposez votre candidature')}.</p>"
            ),
            faq(
                "Questions fréquentes",
                [
                    (
                        "Combien de temps dure l’engagement ?",
                        "<p>La convention d’occupation est signée pour un an et se renouvelle "
                        "tacitement. Elle peut être résiliée avec un préavis de trois mois.</p>",
                    ),
                    (
                        "Faut-il être membre du cluster initiativesETcité ?",
                        "<p>Non. Les locataires sont invités à participer à la vie du cluster, "
                        "mais l’adhésion n’est pas obligatoire pour s’installer.</p>",
                    ),
                    (
                        "Peut-on venir visiter avant de candidater ?",
                        "<p>Bien sûr : écrivez-nous ou venez à l’une de nos portes ouvertes.</p>",
                    ),
                ],
            ),
            call_to_action(
                "Rejoindre les locataires permanents",
                "Quelques minutes suffisent pour nous présenter votre projet.",
                "Je candidate",
                page=form_page,
            ),
        ],
    )
    return tenants


def build_events(builder, home, images):
    index, _ = builder.ensure(
        home,
        EventIndexPage,
        "agenda",
        title="Agenda",
        show_in_menus=True,
        search_description="Les prochains rendez-vous de LaGrappe : ateliers, portes ouvertes, rencontres.",
        introduction="<p>Ateliers, rencontres et portes ouvertes : retrouvez ici les rendez-vous de LaGrappe.</p>",
    )
    today = timezone.localdate()

    def at(days, hour):
        return timezone.make_aware(datetime.combine(opening_day(today + timedelta(days=days)), time(hour)))

    events = [
        (
            "portes-ouvertes",
            dict(
                title="Portes ouvertes de LaGrappe",
                start=at(-45, 14),
                end=at(-45, 19),
                introduction="Visitez les lieux et rencontrez les locataires autour d’un goûter.",
                tags=["portes ouvertes", "rencontre"],
            ),
        ),
        (
            "atelier-cooperer-sans-se-perdre",
            dict(
                title="Atelier : coopérer sans se perdre",
                start=at(-12, 9),
                end=at(-12, 12),
                introduction="Trois heures pour apprendre à monter un projet à plusieurs structures.",
                tags=["atelier", "coopération"],
            ),
        ),
        (
            "petit-dejeuner-des-locataires",
            dict(
                title="Petit-déjeuner des locataires",
                start=at(9, 8),
                end=at(9, 10),
                introduction="Un moment convivial pour faire connaissance avec les nouveaux arrivants.",
                tags=["rencontre"],
            ),
        ),
        (
            "forum-des-projets-de-territoire",
            dict(
                title="Forum des projets de territoire",
                start=at(30, 13),
                end=at(30, 18),
                place="Maison de quartier de Wazemmes",
                address="36 rue d’Eylau, 59000 Lille",
                registration_url="https://lagrappe.example/inscription/forum",
                introduction="Collectivités, habitants et structures du cluster présentent leurs projets communs.",
                tags=["territoire", "forum"],
            ),
        ),
    ]
    for slug, fields in events:
        tags = fields.pop("tags")
        event, created = builder.ensure(
            index,
            EventPage,
            slug,
            image=images["atelier"],
            body=[paragraph(f"<p>{fields['introduction']} Entrée libre, dans la limite des places disponibles.</p>")],
            **fields,
        )
        if created:
            event.tags.add(*tags)
            event.save_revision().publish()
    return index


def build_news(builder, home, images, audience):
    index, _ = builder.ensure(
        home,
        NewsIndexPage,
        "actualites",
        title="Actualités",
        show_in_menus=True,
        search_description="Les nouvelles de LaGrappe et du cluster initiativesETcité.",
        introduction="<p>Les nouvelles du lieu, de ses locataires et du cluster initiativesETcité.</p>",
    )
    today = timezone.localdate()
    articles = [
        (
            "trois-nouveaux-locataires",
            dict(
                title="Trois nouveaux locataires s’installent à LaGrappe",
                date=today - timedelta(days=5),
                author="L’équipe d’initiativesETcité",
                introduction="Une coopérative de réemploi, une graphiste indépendante et un collectif d’habitants nous rejoignent.",
                tags=["locataires"],
                body=[
                    paragraph(
                        "<p>Ce mois-ci, LaGrappe accueille trois nouveaux projets, un de chaque famille : "
                        "un projet individuel, un projet collectif et un projet de territoire. "
                        f"{page_link(audience, 'Découvrez à qui s’adresse LaGrappe')}.</p>"
                    )
                ],
            ),
        ),
        (
            "bilan-de-l-annee",
            dict(
                title="Une année de coopération : le bilan",
                date=today - timedelta(days=25),
                author="Camille Dupont",
                introduction="Projets communs, ateliers, nouveaux partenaires : retour sur douze mois de vie du lieu.",
                tags=["bilan", "coopération"],
                body=[
                    paragraph(
                        "<p>Douze projets ont été montés à plusieurs structures cette année, soit deux fois "
                        "plus que l’an dernier. Les ateliers du jeudi ont réuni en moyenne quinze personnes.</p>"
                    ),
                    quote("Nous avons trouvé ici des partenaires plus que des voisins.", "Une locataire"),
                ],
            ),
        ),
        (
            "le-cluster-fete-ses-quinze-ans",
            dict(
                title="initiativesETcité fête ses quinze ans de coopération",
                date=today - timedelta(days=60),
                author="L’équipe d’initiativesETcité",
                introduction="Né en 2009, le pôle territorial de coopération économique réunit une vingtaine d’entreprises.",
                tags=["cluster"],
                body=[
                    paragraph(
                        "<p>Depuis 2009, initiativesETcité rassemble des entreprises du développement durable "
                        "qui ont choisi de coopérer. LaGrappe est l’aboutissement de cette démarche : un lieu "
                        "où la coopération se vit chaque jour.</p>"
                    )
                ],
            ),
        ),
    ]
    for slug, fields in articles:
        tags = fields.pop("tags")
        article, created = builder.ensure(index, NewsPage, slug, image=images["hero"], **fields)
        if created:
            article.tags.add(*tags)
            article.save_revision().publish()
    return index


def finish_home(home, images, pages):
    """Highlights and calls to action link to pages that exist only after the home page."""
    home.highlights = [
        {
            "type": "highlight",
            "value": {
                "title": "Des espaces à partager",
                "text": "Postes de travail, bureaux fermés et salles de réunion, au cœur de Lille.",
                "image": images["atelier"].pk,
                "page": pages["tenants"].pk,
            },
        },
        {
            "type": "highlight",
            "value": {
                "title": "Une communauté qui coopère",
                "text": "Une vingtaine de structures du développement durable qui avancent ensemble.",
                "image": images["hero"].pk,
                "page": pages["principles"].pk,
            },
        },
        {
            "type": "highlight",
            "value": {
                "title": "Des projets de territoire",
                "text": "Un point d’appui pour les démarches de quartier et les collectivités.",
                "image": images["territoire"].pk,
                "page": pages["audience"].pk,
            },
        },
    ]
    home.calls_to_action = [
        call_to_action(
            "Devenir locataire permanent",
            "Installez votre projet à LaGrappe et rejoignez une communauté qui coopère.",
            "Présenter mon projet",
            page=pages["form"],
        ),
        call_to_action(
            "Venir nous rencontrer",
            "Ateliers, portes ouvertes, petits-déjeuners : consultez l’agenda.",
            "Voir l’agenda",
            page=pages["events"],
        ),
    ]
    home.save_revision().publish()


def fill_settings(site, pages, log=_noop):
    contact = ContactSettings.for_site(site)
    if not contact.email:
        contact.email = "contact@lagrappe.example"
        contact.phone = "03 20 00 00 00"
        contact.place_name = "LaGrappe"
        # The building the permanent tenants are in (directory.seed_data).
        contact.street_address = LAGRAPPE_ADDRESS["address"]
        contact.postal_code = LAGRAPPE_ADDRESS["postcode"]
        contact.city = LAGRAPPE_ADDRESS["city"]
        contact.opening_hours = "Du lundi au vendredi, de 9 h à 18 h"
        contact.linkedin_url = "https://www.linkedin.com/company/initiativesetcite"
        contact.mastodon_url = "https://mastodon.social/@lagrappe"
        contact.save()
        log("  paramètres : coordonnées et réseaux")
    navigation = NavigationSettings.for_site(site)
    if not navigation.main_menu:
        navigation.main_menu = [
            nav_link("Nos principes", pages["principles"]),
            nav_link("À qui s’adresse LaGrappe ?", pages["audience"]),
            nav_link("Locataires permanents", pages["tenants"]),
            nav_link("Agenda", pages["events"]),
            nav_link("Actualités", pages["news"]),
        ]
        navigation.footer_links = [
            nav_link("Devenir locataire permanent", pages["form"]),
            nav_link("initiativesETcité", url="https://www.initiativesetcite.fr/"),
        ]
        navigation.footer_text = (
            "Un lieu porté par initiativesETcité, pôle territorial de coopération économique depuis 2009."
        )
        navigation.save()
        log("  paramètres : navigation")


def ensure_admin(log=_noop):
    User = get_user_model()
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        return False  # an existing account keeps its password
    User.objects.create_superuser(ADMIN_USERNAME, ADMIN_EMAIL, ADMIN_PASSWORD)
    log(f"  compte d’administration créé : {ADMIN_USERNAME} / {ADMIN_PASSWORD} (usage local uniquement)")
    return True


def load_editorial_demo(log=_noop):
    """Build (or complete) the editorial demo site; returns the pages it created."""
    log("Contenu éditorial de démonstration…")
    builder = PageBuilder(log)
    images = ensure_images(log)
    home, home_created = ensure_home(builder, images)
    site = replace_default_site_root(home, log)
    principles, _cooperation, _initiative = build_principles(builder, home, images)
    form_page = build_form_page(builder, home)
    pages = {
        "principles": principles,
        "form": form_page,
        "audience": build_audience(builder, home, images, form_page),
        "tenants": build_tenants(builder, home, form_page),
        "events": build_events(builder, home, images),
        "news": None,
    }
    pages["news"] = build_news(builder, home, images, pages["audience"])
    if home_created:
        finish_home(home, images, pages)
    fill_settings(site, pages, log)
    ensure_admin(log)
    log(
        f"Contenu éditorial : {len(builder.created)} page(s) créée(s), {Page.objects.filter(depth__gt=1).count()} au total."
    )
    return builder.created
