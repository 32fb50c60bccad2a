"""The made-up geography of the demo directory: regions, and the words towns, streets and groups are named with.

Every town, street, venue and group name here is invented or generic. Regions are real states and
countries, each with a box of latitude and longitude that lies (mostly) inside one time zone; the
generator draws towns inside the box and keeps only those whose zone, as computed from their
position, is the region's zone, so the listing's zone always agrees with its place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    key: str
    country: str  # ISO 3166 code, as feeds write it
    country_name: str
    state: str
    zone: str
    latitudes: tuple[float, float]
    longitudes: tuple[float, float]
    style: str  # which words name its towns, streets and groups: en, de, fr, es, pt
    languages: tuple[tuple[str, float], ...]  # (type code, share of meetings)
    weight: float  # share of the world's meetings
    phone_prefix: str  # a fictional dial-in number for its phone meetings, +1 555-01xx


REGIONS: tuple[Region, ...] = (
    Region("us-oh", "US", "United States", "OH", "America/New_York", (39.2, 41.6), (-84.6, -80.7), "en",
           (("EN", 1.0), ("S", 0.04)), 8, "+1-555-0101"),
    Region("us-ny", "US", "United States", "NY", "America/New_York", (41.0, 43.3), (-79.5, -73.8), "en",
           (("EN", 1.0), ("S", 0.10)), 10, "+1-555-0102"),
    Region("us-ga", "US", "United States", "GA", "America/New_York", (31.0, 34.6), (-85.0, -81.8), "en",
           (("EN", 1.0), ("S", 0.06)), 5, "+1-555-0103"),
    Region("us-il", "US", "United States", "IL", "America/Chicago", (38.0, 42.3), (-90.8, -87.8), "en",
           (("EN", 1.0), ("S", 0.08), ("POL", 0.01)), 7, "+1-555-0104"),
    Region("us-tx", "US", "United States", "TX", "America/Chicago", (29.2, 33.5), (-99.5, -95.0), "en",
           (("EN", 1.0), ("S", 0.22)), 9, "+1-555-0105"),
    Region("us-mn", "US", "United States", "MN", "America/Chicago", (44.0, 47.5), (-96.0, -92.8), "en",
           (("EN", 1.0),), 3, "+1-555-0106"),
    Region("us-co", "US", "United States", "CO", "America/Denver", (37.2, 40.8), (-108.5, -102.3), "en",
           (("EN", 1.0), ("S", 0.08)), 4, "+1-555-0107"),
    Region("us-az", "US", "United States", "AZ", "America/Phoenix", (31.8, 34.8), (-113.5, -110.5), "en",
           (("EN", 1.0), ("S", 0.12)), 3, "+1-555-0108"),
    Region("us-ca", "US", "United States", "CA", "America/Los_Angeles", (33.0, 38.8), (-122.3, -116.5), "en",
           (("EN", 1.0), ("S", 0.20), ("KOR", 0.01)), 12, "+1-555-0109"),
    Region("us-wa", "US", "United States", "WA", "America/Los_Angeles", (45.8, 48.8), (-122.8, -117.2), "en",
           (("EN", 1.0), ("S", 0.05)), 4, "+1-555-0110"),
    Region("ca-on", "CA", "Canada", "ON", "America/Toronto", (42.5, 45.5), (-81.5, -75.5), "en",
           (("EN", 1.0), ("FR", 0.04)), 4, "+1-555-0111"),
    Region("ca-qc", "CA", "Canada", "QC", "America/Toronto", (45.2, 46.9), (-74.0, -71.0), "fr",
           (("FR", 1.0), ("EN", 0.15)), 2, "+1-555-0112"),
    Region("ca-ab", "CA", "Canada", "AB", "America/Edmonton", (50.5, 54.0), (-115.0, -111.0), "en",
           (("EN", 1.0),), 2, "+1-555-0113"),
    Region("gb-eng", "GB", "United Kingdom", "England", "Europe/London", (50.9, 53.8), (-2.8, 0.3), "en",
           (("EN", 1.0), ("POL", 0.02)), 6, "+1-555-0114"),
    Region("ie", "IE", "Ireland", "Leinster", "Europe/Dublin", (52.3, 53.9), (-8.5, -6.4), "en",
           (("EN", 1.0),), 1.5, "+1-555-0115"),
    Region("de", "DE", "Germany", "Hessen", "Europe/Berlin", (48.5, 53.0), (7.5, 13.5), "de",
           (("DE", 1.0), ("EN", 0.05), ("RUS", 0.01)), 4, "+1-555-0116"),
    Region("fr", "FR", "France", "Centre", "Europe/Paris", (44.5, 48.8), (0.5, 5.0), "fr",
           (("FR", 1.0), ("EN", 0.03)), 2.5, "+1-555-0117"),
    Region("es", "ES", "Spain", "Castilla", "Europe/Madrid", (37.8, 42.3), (-5.8, -1.5), "es",
           (("S", 1.0), ("EN", 0.04)), 2, "+1-555-0118"),
    Region("pt", "PT", "Portugal", "Centro", "Europe/Lisbon", (37.4, 41.7), (-8.5, -7.3), "pt",
           (("POR", 1.0), ("EN", 0.03)), 1, "+1-555-0119"),
    Region("mx", "MX", "Mexico", "Mex.", "America/Mexico_City", (18.6, 21.4), (-101.5, -97.8), "es",
           (("S", 1.0), ("EN", 0.02)), 5, "+1-555-0120"),
    Region("br", "BR", "Brazil", "SP", "America/Sao_Paulo", (-23.8, -20.6), (-51.0, -46.2), "pt",
           (("POR", 1.0),), 3, "+1-555-0121"),
    Region("au-nsw", "AU", "Australia", "NSW", "Australia/Sydney", (-35.5, -29.5), (146.0, 152.5), "en",
           (("EN", 1.0),), 3, "+1-555-0122"),
    Region("nz", "NZ", "New Zealand", "Auckland", "Pacific/Auckland", (-39.5, -36.6), (174.4, 176.3), "en",
           (("EN", 1.0),), 1, "+1-555-0123"),
)

# Town names: a first part and an ending, per style.
TOWN_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("Oak", "Maple", "Cedar", "Pine", "Elm", "Willow", "Ash", "Birch", "Spring", "River", "Lake", "Clear",
         "Fair", "Green", "Red", "Silver", "Stone", "Brook", "Mill", "Glen", "Wood", "North", "East", "West",
         "High", "Rock", "Sandy", "Harbor", "Bridge", "Fox", "Hawk", "Deer", "Meadow", "Sunny", "Hill",
         "Valley", "Ridge", "Amber", "Copper", "Orchard"),
        ("ton", "ville", "field", "wood", "dale", "ford", "port", "burg", "view", "brook", " Springs", " Falls",
         " Heights", " Junction", " City", " Park", "mont", "haven", " Creek", " Grove", " Hollow", " Bend"),
    ),
    "de": (
        ("Linden", "Eichen", "Birken", "Tannen", "Buchen", "Rosen", "Sonnen", "Wald", "Berg", "Bach", "Stein",
         "Wiesen", "Hohen", "Neu", "Alt", "Kirch", "Mühl", "Feld", "See", "Grün", "Hasel", "Erlen"),
        ("au", "berg", "dorf", "hausen", "heim", "feld", "bach", "stadt", "tal", "brück", "hof", "ingen",
         "rode", "burg", "winkel"),
    ),
    "fr": (
        ("Bel", "Beau", "Mont", "Val", "Roche", "Font", "Clair", "Pré", "Bois", "Chêne", "Saule", "Pont",
         "Mire", "Long", "Ver", "Haut"),
        ("lieu", "mont", "ville", "val", "court", "fort", "champ", "bourg", "-sur-Rivière", "-les-Bois",
         "-la-Forêt", "-le-Vieux", "pré", "roc"),
    ),
    "es": (
        ("Villa", "Valle", "Río", "Monte", "Puerto", "Loma", "Cerro", "Llano", "Arroyo", "Campo", "Fuente",
         "Sierra"),
        (" Verde", " Alto", " Hermoso", " del Sol", " de las Flores", " Nuevo", " Claro", " del Río",
         " de la Paz", " Grande", " Escondido", " Bonito", " Dorado"),
    ),
    "pt": (
        ("Vila", "Vale", "Rio", "Monte", "Porto", "Serra", "Campo", "Lagoa", "Ribeira", "Fonte", "Alto"),
        (" Verde", " Alegre", " Novo", " Claro", " Bonito", " do Sul", " das Flores", " da Serra", " Grande",
         " Azul", " do Norte", " Formoso"),
    ),
}

STREET_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("Maple", "Oak", "Church", "Main", "Park", "Mill", "Chestnut", "Walnut", "Lake", "Hill", "Spring",
           "School", "Orchard", "Meadow", "Union", "Market", "Bridge", "Garden", "Willow", "Station"),
    "de": ("Linden", "Kirch", "Schul", "Garten", "Bahnhof", "Wald", "Mühlen", "Brunnen", "Rosen", "Berg"),
    "fr": ("des Tilleuls", "des Lilas", "des Écoles", "des Jardins", "de la Gare", "de la Paix", "du Moulin",
           "des Acacias", "de l'Église", "du Marché"),
    "es": ("Olivo", "Jacaranda", "Las Palmas", "Los Pinos", "Del Río", "La Paz", "Las Flores", "El Sauce",
           "Del Mercado", "La Fuente"),
    "pt": ("das Flores", "das Palmeiras", "das Acácias", "do Mercado", "da Igreja", "do Sol", "da Fonte",
           "dos Pinheiros", "da Estação", "do Campo"),
}

STREET_KINDS_EN = ("Street", "Avenue", "Road", "Lane", "Drive", "Boulevard", "Way")

VENUES: dict[str, tuple[str, ...]] = {
    "en": ("Community Center", "Fellowship Hall", "Alano Club", "Public Library, Room B", "Church Hall",
           "Community Church", "Senior Center", "Recovery Clubhouse", "Hospital Conference Room", "Unity Hall",
           "Friends Meeting House", "Neighborhood House", "Civic Center, Room 2", "Parish Hall",
           "Recreation Center", "Methodist Church Basement", "Lutheran Church, Lower Level"),
    "de": ("Gemeindezentrum", "Pfarrheim", "Bürgerhaus", "Nachbarschaftsheim", "Selbsthilfezentrum",
           "Gemeindehaus", "Stadtteiltreff"),
    "fr": ("Salle paroissiale", "Maison des associations", "Centre communautaire", "Salle polyvalente",
           "Maison de quartier"),
    "es": ("Centro Comunitario", "Salón Parroquial", "Casa de la Cultura", "Salón de Usos Múltiples",
           "Centro de Salud, Aula 3"),
    "pt": ("Centro Comunitário", "Salão Paroquial", "Casa de Cultura", "Associação de Moradores"),
}

GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Serenity Seekers", "Early Birds", "Keep It Simple", "Into Action", "Came to Believe",
           "Back to Basics", "Easy Does It", "Sunrise Serenity", "Noon Lifeline", "Primary Purpose",
           "Freedom Group", "Just for Today", "One Day at a Time", "Hope Group", "New Beginnings",
           "Attitude Adjustment", "Happy Destiny", "Road to Recovery", "Lunch Bunch", "Night Owls",
           "Spiritual Awakening", "Promises Group", "Design for Living", "Stepping Stones",
           "Courage to Change", "Language of the Heart", "Serenity at Sunset", "Fresh Start",
           "Common Solution", "Winners Circle", "Grateful Hearts", "Open Door", "Miracle Group",
           "Candlelight Group", "Safe Harbor", "Hand in Hand", "Clean and Serene", "Recovery in Action",
           "Hope for Today", "Steps to Freedom", "Sober Sunday", "Monday Night Big Book",
           "Tuesday Night Step Study", "Wednesday Noon Discussion", "Thursday Speaker Meeting",
           "Friday Night Live", "Saturday Morning Coffee"),
    "de": ("Gruppe Gelassenheit", "Neuer Weg", "Nur für heute", "Lichtblick", "Freiheit", "Hoffnung",
           "Neubeginn", "Gemeinsam", "Offene Tür", "Schritt für Schritt", "Mittagsgruppe", "Montagsgruppe",
           "Frühaufsteher", "Abendgruppe"),
    "fr": ("Groupe Sérénité", "Un jour à la fois", "Renaissance", "Espoir", "Nouveau Départ", "Porte Ouverte",
           "Liberté", "Juste pour aujourd'hui", "Les Lève-tôt", "Groupe du Midi", "Le Chemin"),
    "es": ("Grupo Serenidad", "Nueva Vida", "Renacer", "Sólo por Hoy", "Un Día a la Vez", "Grupo Esperanza",
           "Amanecer", "Libertad", "Camino a la Recuperación", "Grupo Fraternidad", "Despertar Espiritual",
           "Manos Unidas"),
    "pt": ("Grupo Serenidade", "Só por Hoje", "Nova Vida", "Esperança", "Renascer", "Liberdade",
           "Porta Aberta", "Um Dia de Cada Vez", "Despertar", "Novo Caminho"),
}

# Names for groups of one community, in English; other styles use their general names.
COMMUNITY_GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "W": ("Women in Recovery", "Sisters in Sobriety", "Women's Step Study"),
    "M": ("Men's Book Study", "Brothers in Recovery", "Men's Morning Group"),
    "Y": ("Young People's Group", "Under 35s", "Young and Free"),
    "LGBTQ": ("Rainbow Group", "Pride Group", "Out and Serene"),
}

# Words for the service bodies above groups.
INTERGROUP_WORD = {"en": "Intergroup", "de": "Intergruppe", "fr": "Intergroupe", "es": "Intergrupo",
                   "pt": "Intergrupo"}
DISTRICT_WORD = {"en": "District", "de": "Bezirk", "fr": "District", "es": "Distrito", "pt": "Distrito"}
AREA_WORD = {"en": "Area", "de": "Region", "fr": "Région", "es": "Área", "pt": "Área"}

# Contact first names: short, common, and never paired with a surname.
CONTACT_NAMES = ("Sam", "Alex", "Robin", "Jo", "Kit", "Max", "Pat", "Lee", "Jamie", "Kim", "Dana", "Charlie")

INACTIVE_REASONS = (
    "Venue closed for repairs",
    "The hall is being renovated",
    "On a summer break",
    "Looking for a new venue",
    "Building closed while the roof is fixed",
)

LOCATION_NOTES = (
    "Ring the bell at the side door.",
    "Parking behind the building.",
    "Second floor; there is a lift.",
    "Enter through the back, follow the signs.",
    "Room at the end of the corridor.",
)

CONFERENCE_HOSTS = ("meet.example.org", "video.example.net", "call.example.com")
