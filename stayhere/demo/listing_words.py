"""The words the demo's groups, service bodies and listings are written with: group names, contact first names,
why a meeting is paused, video hosts. All invented or generic."""

from __future__ import annotations

GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Serenity Seekers",
        "Early Birds",
        "Keep It Simple",
        "Into Action",
        "Came to Believe",
        "Back to Basics",
        "Easy Does It",
        "Sunrise Serenity",
        "Noon Lifeline",
        "Primary Purpose",
        "Freedom Group",
        "Just for Today",
        "One Day at a Time",
        "Hope Group",
        "New Beginnings",
        "Attitude Adjustment",
        "Happy Destiny",
        "Road to Recovery",
        "Lunch Bunch",
        "Night Owls",
        "Spiritual Awakening",
        "Promises Group",
        "Design for Living",
        "Stepping Stones",
        "Courage to Change",
        "Language of the Heart",
        "Serenity at Sunset",
        "Fresh Start",
        "Common Solution",
        "Winners Circle",
        "Grateful Hearts",
        "Open Door",
        "Miracle Group",
        "Candlelight Group",
        "Safe Harbor",
        "Hand in Hand",
        "Clean and Serene",
        "Recovery in Action",
        "Hope for Today",
        "Steps to Freedom",
        "Sober Sunday",
        "Monday Night Big Book",
        "Tuesday Night Step Study",
        "Wednesday Noon Discussion",
        "Thursday Speaker Meeting",
        "Friday Night Live",
        "Saturday Morning Coffee",
    ),
    "de": (
        "Gruppe Gelassenheit",
        "Neuer Weg",
        "Nur für heute",
        "Lichtblick",
        "Freiheit",
        "Hoffnung",
        "Neubeginn",
        "Gemeinsam",
        "Offene Tür",
        "Schritt für Schritt",
        "Mittagsgruppe",
        "Montagsgruppe",
        "Frühaufsteher",
        "Abendgruppe",
    ),
    "fr": (
        "Groupe Sérénité",
        "Un jour à la fois",
        "Renaissance",
        "Espoir",
        "Nouveau Départ",
        "Porte Ouverte",
        "Liberté",
        "Juste pour aujourd'hui",
        "Les Lève-tôt",
        "Groupe du Midi",
        "Le Chemin",
    ),
    "es": (
        "Grupo Serenidad",
        "Nueva Vida",
        "Renacer",
        "Sólo por Hoy",
        "Un Día a la Vez",
        "Grupo Esperanza",
        "Amanecer",
        "Libertad",
        "Camino a la Recuperación",
        "Grupo Fraternidad",
        "Despertar Espiritual",
        "Manos Unidas",
    ),
    "pt": (
        "Grupo Serenidade",
        "Só por Hoje",
        "Nova Vida",
        "Esperança",
        "Renascer",
        "Liberdade",
        "Porta Aberta",
        "Um Dia de Cada Vez",
        "Despertar",
        "Novo Caminho",
    ),
}

# Names for groups of one community, in English; other styles use their general names.
COMMUNITY_GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "W": ("Women in Recovery", "Sisters in Sobriety", "Women's Step Study"),
    "M": ("Men's Book Study", "Brothers in Recovery", "Men's Morning Group"),
    "Y": ("Young People's Group", "Under 35s", "Young and Free"),
    "LGBTQ": ("Rainbow Group", "Pride Group", "Out and Serene"),
}

# Words for the service bodies above groups.
INTERGROUP_WORD = {"en": "Intergroup", "de": "Intergruppe", "fr": "Intergroupe", "es": "Intergrupo", "pt": "Intergrupo"}
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

CONFERENCE_HOSTS = ("meet.example.org", "video.example.net", "call.example.com")
