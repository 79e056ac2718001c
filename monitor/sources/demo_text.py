"""Words for the demo: the catalogue, people and post templates that monitor.sources.demo fills.

Templates are `str.format` strings. Slots: brand, handle, product, amount, total, order_id,
days, hours, nth, date, time, carrier, tracking, membership, fee, cancel_date, charge_date,
scam_phone, phone, first, agent. A template may only use the slots its topic provides
(see `demo._context`); the tests format every one of them.
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

BRAND = "ShopNow"  # fictional retailer
BRAND_X_HANDLE = "ShopNowHelp"
BRAND_X_USER_ID = "1450000000000000001"
FACEBOOK_PAGE_ID = "104857600123456"
INSTAGRAM_USER_ID = "17841400123456789"  # the brand's Instagram professional account
INSTAGRAM_USERNAME = BRAND  # the same name as the Page
SCAM_PHONES = ("1-888-555-0147", "1-877-555-0190", "+1 (844) 555-0123")

# (name, price in USD). Over $500 is "high value": the article's rule for a human callback.
HIGH_VALUE = (
    ("Aurora 14 Pro laptop", "1299.00"),
    ("Vistra 65-inch 4K OLED TV", "1499.99"),
    ("Pixelon 9 Pro smartphone", "899.00"),
    ("NovaTab 12 tablet with keyboard", "649.00"),
    ("Brewmaster dual-boiler espresso machine", "749.95"),
    ("Kestrel gaming PC", "1849.00"),
    ("Orbit robot vacuum and mop", "599.99"),
)
EVERYDAY = (
    ("USB-C charging cable (2-pack)", "12.99"),
    ("silicone phone case", "15.99"),
    ("paperback novel", "14.50"),
    ("whole-bean coffee, 1 kg", "24.99"),
    ("kids' running shoes", "39.95"),
    ("LED desk lamp", "29.99"),
    ("yoga mat", "22.00"),
    ("dry dog food, 15 lb", "42.79"),
    ("vitamin D3 gummies", "17.49"),
    ("Bluetooth speaker", "59.99"),
    ("air fryer", "89.99"),
    ("electric toothbrush", "49.95"),
    ("printer ink cartridges", "34.99"),
    ("noise-cancelling headphones", "249.00"),
    ("cordless drill kit", "129.00"),
    ("baby monitor", "79.99"),
    ("board game", "31.50"),
    ("water filter pitcher", "27.45"),
)
MEMBERSHIPS = (
    ("ShopNow Plus monthly membership", "14.99"),
    ("ShopNow Plus annual membership", "139.00"),
)
CARRIERS = ("UPS", "USPS", "FedEx", "ShopNow Logistics")

FIRST_NAMES = (
    "Maria Emily James Aisha Wei Carlos Priya Noah Fatima Liam Sofia Jamal Olivia Hiroshi "
    "Grace Mateo Chloe Darnell Ananya Lucas Hannah Omar Isabella Tyler Mei Kwame Zoe Diego "
    "Rachel Tomasz Leah Andre Nadia Ethan Camila Sean Yuki Brianna Ivan Keisha"
).split()
LAST_NAMES = (
    "Gonzalez Smith Johnson Khan Chen Rodriguez Patel Williams Okafor Brown Garcia Nguyen "
    "Kim Martin Lee Walker Murphy Schmidt Rossi Silva Thompson Ali Cohen Kowalski Jackson "
    "Tanaka Hernandez Wright Moreau Adams"
).split()
HANDLE_PATTERNS = ("{f}{l}{n}", "{f}_{l}", "the_real_{f}", "{f}{l}{y}", "{l}{f}x", "{f}.{l}{n}")
STRANGER_HANDLES = ("deals4u_", "crypto_king", "gamer", "night_owl_", "just_browsing", "fan")
AGENTS = ("JR", "MK", "AT", "LS", "DB", "CP")

# Tone pieces. Openers and closers wrap the core sentence of a topic.
OPENERS = {
    "calm": ("Hi,", "Hello,", "Hi there,", "Good morning,", ""),
    "frustrated": ("Not happy.", "Seriously?", "Ugh.", "Really disappointed."),
    "sarcastic": (
        "Wow, great job {brand}.",
        "Love this for me.",
        "Oh good, another adventure with {brand}.",
        "Fantastic service as always.",
    ),
    "furious": (
        "This is RIDICULOUS.",
        "I am DONE.",
        "Absolutely unacceptable!!",
        "Are you kidding me?!",
    ),
    "happy": ("",),
    "neutral": ("",),
}
CLOSERS = {
    "calm": ("Could you please look into it?", "Thanks in advance.", "Any help appreciated."),
    "frustrated": ("Please fix this.", "I just want this sorted.", "Why is this so hard?"),
    "sarcastic": (
        "Truly world-class service 🙄",
        "10/10, would get ignored again.",
        "Really nailing it.",
        "Can't wait to do this again next week.",
    ),
    "furious": (
        "Worst customer service ever.",
        "I want my money back NOW.",
        "Never ordering from {brand} again.",
        "Fix it or I'm disputing it with my bank.",
    ),
    "happy": ("Thank you!", "You made my week.", "Best support team around."),
    "neutral": ("",),
}
EMOJIS = {
    "calm": ("🙏", "🙂"),
    "frustrated": ("😤", "😞", "🤦"),
    "sarcastic": ("🙄", "🙃", "👏👏"),
    "furious": ("😡", "🤬🤬", "😡😡😡"),
    "happy": ("🙌", "🎉", "❤️", "⭐⭐⭐⭐⭐"),
    "neutral": ("",),
}
HUMAN_REQUESTS = (
    "Let me talk to a real person.",
    "I need a HUMAN, not a bot.",
    "Your chat bot keeps going in circles, get me an actual agent.",
    "Please call me at {phone}, I'm done typing to a bot.",
    "I pressed 'Call me now' three times and nobody called.",
    "Stop sending me help articles. I want a real person.",
)

# Core sentences per topic. Each topic belongs to one situation (see demo.SITUATIONS).
TEMPLATES: dict[str, tuple[str, ...]] = {
    "delivered_missing": (
        "Tracking says my {product} was delivered on {date} but there's nothing here. "
        "Order {order_id}.",
        "Package marked delivered {days} days ago. Not at my door, not with neighbours, not in "
        "the mailroom. A {amount} {product} just gone?",
        "Your driver's photo shows a porch that is NOT my house. Order {order_id}, {product}.",
        "how is my order delivered if i never got it?? {carrier} says delivered, i have nothing",
        "{carrier} marked my {product} delivered at {time} while I was home all day. Nobody came.",
        "Delivered but not received. {amount} order and the bot tells me to wait 48 more hours.",
    ),
    "failed_attempts": (
        "Third failed delivery attempt for order {order_id}. I was home ALL day, nobody knocked.",
        "That's attempt #3 that 'failed' for my {product}. My doorbell camera shows no one came.",
        "{carrier} has now 'attempted' delivery three times. I've been sitting by the door. "
        "Tracking {tracking}.",
        "3rd time my {product} goes back to the depot. I took another day off work for this.",
    ),
    "late": (
        "My {product} was due {days} days ago. Tracking {tracking} hasn't moved since.",
        "Order {order_id} still 'in transit' after {days} days. When will it actually arrive?",
        "Paid for fast shipping and {days} days later still no {product}.",
        "Tracking has said 'running late' for {days} days. Is my {product} coming or not?",
    ),
    "lost": (
        "{carrier} says my package is lost. {amount} for a {product} and nobody can tell me what "
        "happens now.",
        "Tracking {tracking} says 'lost in transit'. Order {order_id}. Replacement or refund?",
        "My {product} is apparently lost somewhere between your warehouse and my house. "
        "{amount} gone.",
    ),
    "refund_denied": (
        "Your chat bot refused my refund for order {order_id}. The {product} arrived broken!",
        "Bot says my {product} is 'not eligible for return'. It arrived cracked. "
        "{amount} for junk.",
        "Received the wrong item instead of my {product}, and the assistant says no refund. How?",
        "The chat bot denied my refund 3 times for a {amount} {product} that never worked.",
        "I asked for a refund on order {order_id} and the AI assistant just closed the chat.",
    ),
    "hacked": (
        "Someone got into my account, changed my email and ordered a {product} for {amount}. "
        "I did NOT place order {order_id}.",
        "My account was hacked last night. There's an order for a {product} I never made. "
        "Please lock it!",
        "Got an email that my password was changed. I didn't change it. Now there's a {amount} "
        "order on my card.",
        "I can't log in anymore and someone is buying stuff with my saved card. Order {order_id} "
        "isn't mine!",
    ),
    "phishing": (
        "Got a text saying my {brand} account is suspended and to 'verify' at a weird link. Real?",
        "Received an email from '{brand} Security' asking for my card number to unlock my "
        "account. Is this a scam?",
        "Someone called saying they're from {brand} about a {amount} charge and asked for my "
        "password to cancel it.",
        "Just got a message about a {amount} refund, it wants me to log in through a bit.ly link. "
        "Phishing, right?",
    ),
    "scam_line": (
        "I called {scam_phone} from a search result thinking it was {brand} support. They asked "
        "me for gift cards. Did I just get scammed?",
        "Called the 'support number' {scam_phone} and gave them remote access to my laptop. "
        "What do I do now?",
        "The number {scam_phone} says it's {brand} customer service. They took my card details "
        "to 'process a refund'.",
    ),
    "billing_after_cancel": (
        "I cancelled {membership} on {cancel_date} and you still charged me {fee} "
        "on {charge_date}.",
        "Why was I charged {fee} for {membership}? I cancelled weeks ago and have the confirmation "
        "email.",
        "Cancelled my membership on {cancel_date}. Charged {fee} anyway. The bot says 'no refund "
        "available'.",
        "Charged {fee} for a membership I cancelled on {cancel_date}. That's theft.",
    ),
    "double_charge": (
        "I was charged twice for order {order_id}: two charges of {amount} on my card.",
        "My bank shows {amount} taken TWICE for one {product}. Please refund the duplicate.",
        "Double charge for the same order ({order_id}). That's {total} instead of {amount}.",
    ),
    "cancel_order": (
        "Need to cancel order {order_id} please, ordered it by mistake.",
        "How do I cancel an order? The app just spins. Order {order_id}, {product}.",
        "Please cancel my {product} order before it ships, found it cheaper elsewhere.",
        "Tried to cancel {order_id} within 10 minutes and it already says 'preparing for "
        "shipment'. Come on.",
    ),
    "product_question": (
        "Does the {product} come with a charger in the box?",
        "Is the {product} compatible with last year's model? The listing doesn't say.",
        "When will the {product} be back in stock?",
        "Is the warranty on the {product} 1 year or 2?",
        "Can I change the delivery address after ordering a {product}?",
    ),
    "praise": (
        "Huge thanks to {handle}, sorted my refund in 5 minutes 🙌",
        "My {product} arrived a day early. {brand} never misses.",
        "Shoutout to the agent who helped me with my {product} today. Real human, real help!",
        "Honestly impressed: the replacement {product} shipped the same day. Thank you {brand}!",
    ),
    "spam": (
        "Earn $500 a day from home 💰 DM me for details",
        "Follow for follow? 🔥🔥",
        "Check my profile for FREE gift cards 🎁 limited time only",
        "who else is watching the game tonight",
        "Crypto signals 100% accurate, join my channel 🚀🚀",
        "lol",
    ),
}

NON_ENGLISH: dict[str, tuple[tuple[str, str], ...]] = {
    "delivered_missing": (
        ("es", "Mi pedido {order_id} aparece como entregado pero nunca llegó. ¿Qué hago?"),
        ("de", "Meine Bestellung {order_id} wird als zugestellt angezeigt, aber hier ist nichts."),
        ("fr", "Ma commande {order_id} est indiquée comme livrée mais je n'ai rien reçu."),
        ("pt", "Meu pedido {order_id} consta como entregue, mas não recebi nada."),
    ),
    "late": (("ja", "注文した{product}がまだ届きません。もう{days}日も遅れています。"),),
    "refund_denied": (
        ("es", "El chat no me deja pedir el reembolso de mi {product}, llegó roto. {amount}!"),
        ("de", "Der Chatbot lehnt meine Erstattung ab, obwohl das Gerät kaputt ankam."),
    ),
    "hacked": (
        (
            "ja",
            "アカウントが乗っ取られました。注文 {order_id} は私ではありません。"
            "至急対応してください。",
        ),
        ("es", "Me hackearon la cuenta y hicieron un pedido de {amount}. ¡Ayuda!"),
    ),
    "billing_after_cancel": (
        (
            "fr",
            "J'ai résilié mon abonnement il y a trois semaines et on m'a quand même débité {fee}.",
        ),
    ),
}

FOLLOW_UPS = (
    "Still waiting. {hours} hours and nothing.",
    "Hello?? Anyone there?",
    "This is my {nth} message about order {order_id}.",
    "Sent you a DM {hours} hours ago, no answer. Ignoring customers now?",
    "Any update on this? Still nothing on my end.",
    "{hours} hours later and still no reply. Unbelievable.",
)
FOLLOW_UPS_NO_ORDER = tuple(t for t in FOLLOW_UPS if "{order_id}" not in t)

BRAND_REPLIES = (
    "Hi {first}, we're sorry to hear this. Please send us a DM with your order number so we "
    "can look into it right away. ^{agent}",
    "We understand how frustrating this is, {first}. Could you DM us the email on your account? "
    "We'll take it from here. ^{agent}",
    "Thanks for reaching out, {first}. We've passed this to our specialist team and will get back "
    "to you shortly. ^{agent}",
    "Hi {first}, I'm sorry for the trouble. I've sent you a private message with next steps. "
    "^{agent}",
)
PRAISE_REPLIES = (
    "Thanks so much for the kind words, {first}! Enjoy! ^{agent}",
    "This made our day, {first}. We'll pass it on to the team! ^{agent}",
)
QUESTION_REPLIES = (
    "Hi {first}, good question! The product page lists what's in the box under 'Specifications'. "
    "Happy to check anything else for you. ^{agent}",
    "Hi {first}, we don't have a restock date yet, but you can tap 'Notify me' on the product "
    "page. ^{agent}",
)
DM_REPLIES = (  # in a private channel the agent can act, not just ask for a DM
    "Thanks for the details, {first}. I've opened an investigation and will update you within "
    "24 hours. ^{agent}",
    "Hi {first}, I'm sorry about this. I've escalated it to our specialist team; you'll hear "
    "from us by email today. ^{agent}",
    "Thanks {first}. For your security, please never share card numbers here. I've flagged "
    "your account for review. ^{agent}",
)


def money(value: Decimal) -> str:
    """$899, $1,299.99: how people write amounts."""
    return f"${value:,.2f}".removesuffix(".00")


def day(when: datetime) -> str:
    return f"{when:%b} {when.day}"


def clock(when: datetime) -> str:
    return f"{when.hour % 12 or 12}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"


def typo(rng: random.Random, text: str) -> str:
    """One or two human slips (swapped or dropped letters) in plain words, never in ids."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if w.isalpha() and len(w) > 3]
    for i in rng.sample(candidates, k=min(len(candidates), rng.randint(1, 2))):
        w, j = words[i], rng.randrange(len(words[i]) - 1)
        swapped = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        words[i] = swapped if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)
