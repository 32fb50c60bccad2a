"""The room's sentences in each connection's language: the core writes English, the one writer of frames puts a
sentence into the language of the page that opened the connection (its language cookie, else Accept-Language)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from stayhere.rooms.core.meeting import SLIP_TOO_EARLY
from stayhere.rooms.core.sharing import OPEN_FLOOR_TOO_BIG
from stayhere.rooms.live import frames
from stayhere.rooms.live.gate import busy_sentence
from stayhere.rooms.live.root import LiveRooms
from tests.rooms.factories import make_room
from tests.rooms.roomkit import fresh_live_rooms
from tests.rooms.test_consumer import Client, run

pytestmark = pytest.mark.django_db(transaction=True)

WAITING_ES = "Estás en la sala de espera. Un anfitrión te dejará entrar pronto."
WAITING_EN = "You are in the waiting room. A host will let you in soon."


@pytest.fixture(autouse=True)
def fresh_rooms() -> Iterator[LiveRooms]:
    yield fresh_live_rooms()


def speaking(client: Client, *headers: tuple[bytes, bytes]) -> Client:
    client.ws.scope["headers"] = [*client.ws.scope["headers"], *headers]
    return client


def test_a_spanish_page_reads_the_rooms_sentences_in_spanish_beside_an_english_one() -> None:
    room = make_room(waiting_room=True)

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        lucia = speaking(Client(room.meeting.slug, "m1"), (b"accept-language", b"es-MX,es;q=0.9,en;q=0.5"))
        sam = speaking(Client(room.meeting.slug, "m2"), (b"accept-language", b"en-US,en;q=0.9"))
        assert await chair.open() and await lucia.open() and await sam.open()
        await chair.join("Chair", chair_key=room.chair_key)
        welcome = await lucia.join("Lucía Fernández")
        assert welcome["advice"].startswith("Eso parece un nombre completo.")
        assert (await lucia.next("waiting"))["message"] == WAITING_ES
        await sam.join("Sam")
        assert (await sam.next("waiting"))["message"] == WAITING_EN
        # An error the core refuses with, in each one's language.
        await lucia.send(type="hand", up=True)
        assert (await lucia.next("error"))["message"] == WAITING_ES
        await sam.send(type="hand", up=True)
        assert (await sam.next("error"))["message"] == WAITING_EN
        changed = await chair.next("waiting_changed")
        await chair.send(type="deny", seat=changed["added"][0]["seat"])
        assert (await lucia.next("denied"))["message"] == "Los anfitriones no te dejaron entrar a esta reunión."

    run(scenario)


def test_the_language_cookie_outweighs_accept_language() -> None:
    room = make_room(waiting_room=True)

    async def scenario() -> None:
        chose = speaking(
            Client(room.meeting.slug, "m1"),
            (b"accept-language", b"en-US,en;q=0.9"),
            (b"cookie", b"django_language=es"),
        )
        chair = Client(room.meeting.slug, "c1")
        assert await chair.open() and await chose.open()
        await chair.join("Chair", chair_key=room.chair_key)
        await chose.join("Ana")
        assert (await chose.next("waiting"))["message"] == WAITING_ES

    run(scenario)


def test_only_the_sentence_of_a_frame_changes_and_never_what_a_person_typed() -> None:
    error = frames.error("waiting", WAITING_EN, "hand", 7)
    spanish = orjson.loads(frames.in_language(error, "es"))
    assert spanish == {**orjson.loads(error), "message": WAITING_ES}
    # A chat line whose text happens to be one of the room's sentences is not a sentence of the room's.
    chat = frames.encode({"type": "chat", "seq": 8, "from": "s1", "name": "Ana", "text": WAITING_EN})
    assert frames.in_language(chat, "es") is chat
    # A sentence the catalogs do not know (no marked sentence, with or without values) stays as it was.
    unknown = frames.error("bad_message", "The floor wobbled 9 times: the format has 5 legs.", "goto", 7)
    assert frames.in_language(unknown, "es") is unknown


def message_in(language: str, sentence: str) -> str:
    frame = frames.in_language(frames.error("busy", sentence, "join", retry_after=1), language)
    message: str = orjson.loads(frame)["message"]
    return message


@pytest.mark.parametrize(
    ("seconds", "spanish"),
    [(1, "Vuelve a intentarlo en 1 segundo;"), (7, "Vuelve a intentarlo en 7 segundos;")],
)
def test_the_doors_busy_sentence_reads_in_spanish_with_the_plural_for_its_seconds(seconds: int, spanish: str) -> None:
    english = busy_sentence(seconds)
    assert f"Try again in {seconds} second{'s' if seconds != 1 else ''};" in english
    assert spanish in message_in("es", english)


def test_a_slips_minutes_and_an_open_floors_limit_read_in_spanish_with_their_numbers() -> None:
    slip = SLIP_TOO_EARLY.format(needed=20, minutes=3)
    assert slip == "A slip needs 20 minutes in the meeting; you have been here 3 so far."
    assert message_in("es", slip) == "Una constancia requiere 20 minutos en la reunión; llevas aquí 3 por ahora."
    assert "requiere 1 minuto en" in message_in("es", SLIP_TOO_EARLY.format(needed=1, minutes=0))
    floor = OPEN_FLOOR_TOO_BIG.format(limit=12, here=14)
    assert message_in("es", floor).startswith(
        "La palabra abierta es para reuniones de hasta 12 personas, y aquí hay 14."
    )


def test_a_sentence_with_numbers_is_only_read_back_when_it_is_that_sentence_whole() -> None:
    assert SLIP_TOO_EARLY.read("A slip needs 20 minutes in the meeting; you have been here 3 so far.") == {
        "needed": 20,
        "minutes": 3,
    }
    assert SLIP_TOO_EARLY.read("A slip needs many minutes in the meeting; you have been here 3 so far.") is None
    assert SLIP_TOO_EARLY.read("Note: A slip needs 20 minutes in the meeting; you have been here 3 so far.") is None
    # A sentence nobody marked stays as it was.
    assert message_in("es", "Something unmarked happened 3 times.") == "Something unmarked happened 3 times."


def test_a_malformed_message_is_answered_in_spanish_to_a_spanish_page_and_in_english_to_an_english_one() -> None:
    room = make_room(waiting_room=False)

    async def scenario() -> None:
        chair = Client(room.meeting.slug, "c1")
        lucia = speaking(Client(room.meeting.slug, "m1"), (b"accept-language", b"es-ES,es;q=0.9"))
        sam = speaking(Client(room.meeting.slug, "m2"), (b"accept-language", b"en-US,en;q=0.9"))
        assert await chair.open() and await lucia.open() and await sam.open()
        await chair.join("Chair", chair_key=room.chair_key)
        await lucia.join("Lucía")
        await sam.join("Sam")
        await lucia.ws.send_to(text_data="{not json")
        assert (await lucia.next("error"))["message"] == "Ese mensaje no es JSON válido."
        await sam.ws.send_to(text_data="{not json")
        assert (await sam.next("error"))["message"] == "That message is not valid JSON."
        await lucia.send(type="hand", up="yes")
        assert (await lucia.next("error"))["message"] == "En un mensaje hand, up debe ser true o false."
        await lucia.send(type="hand", up=True, colour="red")
        assert (await lucia.next("error"))["message"] == "Un mensaje hand no tiene el campo 'colour'."
        await lucia.send(type="shout")
        assert (await lucia.next("error"))["message"] == "La sala no conoce el tipo de mensaje 'shout'."
        await lucia.send(type="chat", text="x" * 5000)
        said = (await lucia.next("error"))["message"]
        assert said.startswith("En un mensaje chat, text debe ")
        await sam.send(type="hand", up="yes")
        assert (await sam.next("error"))["message"] == "In a hand message, up must be true or false."

    run(scenario)


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        (
            "In a call message, seat must be a seat id.",
            "En un mensaje call, seat debe ser un identificador de asiento.",
        ),
        (
            "In a extend message, seconds must be a whole number from 30 to 1800.",
            "En un mensaje extend, seconds debe ser un número entero del 30 al 1800.",
        ),
        (
            "In a chat message, text must be text of at most 2000 characters.",
            "En un mensaje chat, text debe ser un texto de como mucho 2000 caracteres.",
        ),
        ("A join message needs name.", "Un mensaje join necesita name."),
        ("Keep the name to 40 characters or fewer.", "Usa un nombre de 40 caracteres o menos."),
        ("There is no segment 9: the format has 5.", "No hay ninguna parte 9: el formato tiene 5."),
    ],
)
def test_a_protocol_sentence_with_values_reads_in_spanish_with_its_values_kept(english: str, spanish: str) -> None:
    frame = frames.in_language(frames.error("bad_message", english, ""), "es")
    assert orjson.loads(frame)["message"] == spanish
    assert orjson.loads(frames.in_language(frames.error("bad_message", english, ""), "en"))["message"] == english


def test_a_sentence_with_a_sentence_the_catalogs_do_not_know_inside_it_is_left_whole_in_english() -> None:
    unmarked = frames.error("bad_message", "In a hand message, up is wrong somehow.", "")
    assert frames.in_language(unmarked, "es") is unmarked
