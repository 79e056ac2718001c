from __future__ import annotations

import pytest

from monitor.scoring.language import detect_language, detect_languages, language_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@AmazonHelp My order never arrived and nobody helps", "en"),
        ("@AmazonHelp 注文した商品が届きません", "ja"),
        ("@AmazonHelp Mi pedido no ha llegado y nadie me responde", "es"),
        ("@AmazonHelp Meine Bestellung ist nicht angekommen und ich bin sauer", "de"),
        ("@AmazonHelp Ma commande n'est jamais arrivée, c'est inadmissible", "fr"),
        ("@AmazonHelp minha encomenda ainda não chegou, ninguém responde", "pt"),
        # Handles, links and hashtags are not language.
        ("@AmazonHelp #ColchonMorfeo https://t.co/abc", "und"),
        ("@Delta DM sent", "en"),  # too short to call non-English
        ("🙄🙄🙄", "und"),
        ("", "und"),
    ],
)
def test_detects_the_language_of_short_posts(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_batch_keeps_input_order_and_names_are_readable() -> None:
    texts = ["Où est mon colis ? Je l'attends depuis une semaine", "where is my parcel", ""]
    assert detect_languages(texts) == ["fr", "en", "und"]
    assert language_name("fr") == "French" and language_name("xx") == "xx"
