"""What is at stake in a post, beyond how the customer feels.

Seven kinds of stake raise urgency on their own, however calmly they are written: a deadline,
an essential or vulnerable need, someone else in the account, money taken without consent, a
legal or payment-dispute threat, danger or damage, lost access, and churn or going public.

Each is found two ways and the stronger wins:

* **Exemplars** (paraphrases, misspellings): the cosine similarity of the post's sentence
  embedding (from the same encoder pass as sentiment) to phrases in config
  `[stakes.exemplars]`, which a team can extend with its own. Similarity below `similarity`
  gives nothing, and the contribution grows to full weight `ramp` above it. A post at least
  as close to one of the everyday problems in `[stakes] ordinary` counts for no stake this
  way: the exemplars resemble plain late parcels and refunds in all but their stake.
* **Keywords** (a floor): unambiguous words give full weight even when the embedding misses.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from monitor.config import StakesSettings
from monitor.scoring.text import KeywordFloors, international_patterns

# Plain words for the explanation, in the order factors are listed in the README.
STAKES: dict[str, str] = {
    "time_pressure": "needs it urgently",
    "essential_need": "essential or vulnerable need",
    "account_compromise": "account access by someone else",
    "money_taken": "money taken without consent",
    "legal_threat": "threatens legal action or a dispute",
    "safety": "safety risk or damage",
    "access_loss": "locked out of account or money",
    "churn": "threatens to leave or go public",
}

_I = re.IGNORECASE
_DOUBLE_CHARGE = (
    r"(?:charg(?:ed|ing)|billed|billing|debit(?:ed|ing))\s+(?:me\s+|us\s+|my\s+(?:account|"
    r"card)\s+)?"
    r"(?:twice|double|two\s+times|"
    r"three\s+times|\d+\s+times)|(?:double|triple)[-\s]?charg\w*|(?:charg(?:ed|ing)|billed)\s+"
    r"(?:me\s+|us\s+)?(?:for\s+)?(?:a|the)\s+(?:2nd|second|3rd|third|4th|fourth)(?:\s+\w+)?\s+time"
)
# A double charge for the customer's own order: money taken, but a billing matter, not fraud.
DOUBLE_CHARGE = re.compile(r"\b(?:" + _DOUBLE_CHARGE + r")\b", _I)
KEYWORDS: dict[str, re.Pattern[str]] = {
    "time_pressure": re.compile(
        # "right now" only when something is needed now ("so annoyed right now" is a mood)
        # "tonight" when something is wanted by then ("flying tonight" is no deadline)
        # "immediately" when asked for ("it immediately closes" is how an app fails)
        r"\b(?:urgent\w*|asap|a\.s\.a\.p|emergency|(?:need|want|deliver\w*|arriv\w*|"
        r"come|came|by|before|until|till|slot|expect\w*|promised|due)\s+(?:\w+\s+){0,3}"
        r"tonight|tonight\s+(?:please|pls|asap)|(?:need|want|help|fix|sort|call|refund|respond|"
        r"reply|contact|get\s+back|resolve|look|attention)\w*\s+(?:\w+\s+){0,4}immediately|"
        r"immediately\s+(?:please|pls)|(?:need|want|help|fix|"
        r"sort|call|refund|send)\w*\s+(?:\w+\s+){0,3}right\s+now|"
        r"by\s+(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|"
        r"sunday|the\s+\d+\w*)|(?:need|needed|want)\s+(?:it|this|them)\s+(?:today|tomorrow|tmrw|"
        r"tonight|by|before|b4)|"
        # needed for an event ("I checked in for my flight" is no deadline)
        r"(?:need|needed|want|wanted|get|got|have|bought|ordered|order|it|this|them|was|is|"
        r"in\s+time)\s+"
        r"(?:\w+\s+){0,3}(?:for|before)\s+(?:my|our|the)\s+(?:\w+\s+)?(?:flight|trip|wedding|"
        r"birthday|party|event|exam|interview|funeral)|"
        # the event and its day: "the wedding is tomorrow", "my flight is in 3 hours"
        r"(?:wedding|flight|funeral|party|event|interview|exam|birthday|trip|surgery|"
        r"operation|appointment)\s+(?:is\s+|was\s+|'s\s+)?(?:today|tomorrow|tmrw|tonight|"
        r"this\s+(?:morning|afternoon|evening|weekend)|in\s+(?:\d+|a\s+few|two|three)\s+"
        r"(?:hours?|hrs?|days?))|deadline|time\s+sensitive|(?:due|expected|promised|"
        r"supposed\s+to\s+"
        r"(?:arrive|come|be\s+here))\s+(?:today|tonight)|running\s+out|runs?\s+out\s+(?:today|"
        r"tomorrow|tonight|tmrw|on\s+\w+day)|none\s+left|(?:possible|able|chance|"
        r"way)\s+to\s+(?:get|"
        r"have|receive|deliver)\s+(?:it|this|them|my\s+(?:\w+\s+)?(?:order|parcel|package|"
        r"delivery))"
        r"\s+(?:today|tonight|tomorrow|tmrw))\b",
        _I,
    ),
    "essential_need": re.compile(
        r"\b(?:medicin\w*|medication|prescription|pharmacy|insulin|inhaler|epipen|"
        r"oxygen(?!\s*(?:os\b|\d))|"
        r"wheelchair|hearing\s+aid|baby'?s?\s+(?:formula|food|milk)|formula\s+milk|nappies|diapers|"
        r"diabet\w*|test\s+strips|glucose|blood\s+sugar|"
        r"newborn|infant|disability|disabilities|blind|elderly|chemo\w*|dialysis|pacemaker|"
        r"carer|caregiver|(?:i'?m|i\s+am|am|is|partially|profoundly|totally|completely)\s+deaf|"
        r"hard\s+of\s+hearing|partially\s+sighted|epilep\w*|seizures?|"
        r"blood\s+pressure\s+(?:tablets|pills|meds|medicine)|heart\s+(?:tablets|pills|meds)|"
        r"(?:my\s+)?(?:meds|pills)\s+(?:have|has|haven'?t|hasn'?t|are|were|didn'?t|did\s+not)|"
        r"housebound|lives\s+(?:on\s+her\s+own|on\s+his\s+own|alone)|"
        r"(?:mum|mom|mother|dad|father|gran\w*|nan|nana|grandma|grandpa|grandmother|grandfather)"
        r"\s+(?:is|who\s+is|aged)\s+(?:[7-9]\d|1[01]\d)\b|"
        # "disabled" as a person or their access, not a setting ("I disabled the app")
        r"(?:i'?m|i\s+am|am|being|registered|(?:son|daughter|child|husband|wife|partner|"
        r"mother|father|mum|mom|dad|he|she)\s+is)\s+disabled|disabled\s+(?:person|people|"
        r"customer|passenger|son|daughter|child|kid|husband|wife|partner|mother|father|mum|mom|"
        r"dad|parent|access|toilet|loo|parking|badge|bay|seat|ramp|lift|assistance))\b",
        _I,
    ),
    "account_compromise": re.compile(
        r"\b(?:hack(?:ed|er|ers|ing)?|compromised|someone\s+(?:\w+\s+){0,4}(?:logged|got|get|"
        r"broke|has\s+been|is)\s+in(?:to)?|"
        r"someone\s+(?:else\s+)?(?:\w+\s+)?(?:got|gotten|get)\s+(?:in\s+)?to\s+my\s+account|"
        r"someone\s+(?:else\s+)?(?:is|was|keeps|has\s+been)\s+(?:still\s+)?"
        r"(?:using|accessing|trying\s+to\s+(?:buy|order|log|access|use|get\s+into))\b"
        r"[^.?!]{0,30}\b(?:my|account)|"
        r"(?:my\s+)?(?:account|phone\s+number|number|sim)\s+(?:got|gotten|was|has\s+been)\s+"
        r"(?:took|taken|stolen|ported|hijacked)|"
        r"(?:steal|stole|stolen)\s+my\s+(?:phone\s+)?(?:number|sim|identity|account)|"
        r"(?:didn'?t|did\s+not|never)\s+(?:request|ask\s+for)"
        r"\s+(?:a|the|this|that|any)?\s*(?:code|otp|password\s+reset)|(?:code|otp)s?\b[^.?!]{0,30}"
        r"\bi\s+(?:never|didn'?t|did\s+not|haven'?t|have\s+not)\s+(?:ask|request)\w*|"
        r"(?:someone|somebody)\s+(?:\w+\s+){0,3}(?:ordered|bought|purchased|placed|made|"
        r"is\s+buying|is\s+ordering)\b[^.?!]{0,30}\b(?:on|with|from|using)\s+my\s+(?:account|card)|"
        r"(?:ordered|bought|purchased|buying|ordering|used|using|logged|charged)\b[^.!]{0,50}"
        r"\b(?:it|that|this)\s+(?:wasn'?t|was\s+not)\s+me\b|"
        r"orders?\b[^.?!]{0,40}\b(?:i|we)\s+(?:\w+\s+)?(?:didn'?t|did\s+not|never)\s+(?:make|made|"
        r"place|placed|order)|(?:address|card|device|phone\s+number|e-?mail|orders?)\s+(?:\w+\s+)"
        r"{0,5}(?:that\s+)?(?:isn'?t|is\s+not|wasn'?t|aren'?t|are\s+not)\s+(?:mine|ours)|"
        r"(?:code|otp)s?\b[^.?!]{0,40}\b(?:not|never)\s+(?:trying|tried|requested|asked)|"
        r"(?:kindle|device|phone|card|tablet|computer|laptop|echo)\s+(?:that\s+)?(?:i|we)\s+"
        r"(?:don'?t|do\s+not|never|didn'?t)\s+(?:own|have|had|recogni[sz]e|use|know)|"
        r"(?:sign-?in|log-?in|login)\s+(?:alert|attempt|notification|e-?mail|warning)s?\s+from\s+"
        r"(?:a\s+|an\s+)?(?:new\s+|unknown\s+|strange\s+|different\s+)?(?:device|location|country|"
        r"place|ip|city)|(?:weird|strange|suspicious|unusual|unknown|"
        r"unrecogni[sz]ed)\s+(?:sign-?in|"
        r"log-?in|login|activity|device|access)|(?:someone|somebody|hackers?)\s+(?:has\s+|"
        r"have\s+)?(?:changed|reset)"
        r"\s+(?:my|the)\s+(?:delivery\s+|shipping\s+|billing\s+)?(?:address|e-?mail|password|"
        r"phone\s+number|number|details)|password\s+(?:was\s+|has\s+been\s+)?"
        r"changed|(?:email|e-mail|password|phone\s+number)(?:\s+address)?(?:\s+on\s+my\s+account)?"
        r"\s+(?:was|were|has\s+been|got)\s+changed|someone\s+(?:\w+\s+)?(?:changed|knew|knows|"
        r"reset)\s+(?:my|the)|"
        r"unknown\s+(?:login|log-in|device|order)s?|identity\s+theft|phish\w*|"
        r"account\s+(?:was\s+|got\s+|has\s+been\s+)?(?:stolen|taken\s+over)|"
        r"security\s+breach|data\s+breach|"
        # phishing: mails, texts and calls posing as the brand ("fake" goods are not fraud)
        r"(?:fake|spoof\w*|suspicious|phony|bogus)\s+(?:\w+\s+)?(?:email|e-mail|text|sms|"
        r"call|message|link|website|site|account|page)s?|"
        r"(?:claim|pretend|purport)(?:s|ed|ing)?\s+to\s+be\s+(?:from\s+)?(?:you|your|"
        r"\w+\s+(?:support|security|customer\s+service|fraud))|"
        r"(?:text|e-?mail|message|sms|call|link)\b[^.?!]{0,40}\b(?:asking|asked|asks|wants?|"
        r"wanting|requesting)\s+(?:me\s+)?(?:to\s+|for\s+)(?:\w+\s+){0,3}(?:bank|card|account|"
        r"payment|login|password|personal|security)\s+(?:details|info\w*|number|data)|"
        r"(?:text|e-?mail|message|sms|call|link)\b[^?!]{0,80}\bis\s+(?:this|it|that)\s+"
        r"(?:really\s+)?(?:from\s+you|legit\w*|genuine|real)|is\s+(?:this|that|the)\s+(?:e-?mail|"
        r"text|message|sms|call|link)\b[^?!]{0,60}\b(?:real|legit\w*|genuine|from\s+you|a\s+scam|"
        r"fake)|(?:e-?mail|text|message|sms)\b[^.?!]{0,60}\b(?:asks?|asking|"
        r"asked)\s+(?:me\s+)?to\s+"
        r"(?:click|tap|open|follow)\s+(?:a|the|this|that)\s+link)\b",
        _I,
    ),
    "money_taken": re.compile(
        # "fraud protection stopped me" is the bank's safeguard working, not money taken
        r"\b(?:unauthori[sz]ed|fraud(?!\s+(?:protection|prevention|department|dept|team))\w*|"
        r"scam\w*|stole\s+(?:my\s+)?money|"
        # a double charge is money taken beyond what was agreed (labelling guideline, rule 7)
        + _DOUBLE_CHARGE
        + r"|took\s+(?:my\s+|our\s+)?money\s+without|"
        # someone else using it: "I used my card" is the customer's own purchase
        r"(?<!i\s)(?<!i'm\s)(?<!im\s)(?<!we\s)(?:using|used)\s+my\s+(?:\w+\s+)?(?:card|"
        r"bank\s+details|paypal)|my\s+(?:credit\s+|debit\s+|bank\s+)?(?:card|card\s+details|"
        r"bank\s+details|paypal)\s+(?:was|were|has\s+been|have\s+been|got|is\s+being)\s+used|"
        # a charge the customer does not recognise (a known charge disputed is billing)
        r"false\s+charg\w*|(?:charg\w*|debit\w*|billed|renew\w*|took|tak(?:en|ing)|"
        r"subscribed|signed\s+(?:me\s+)?up)\b[^.!]{0,40}\bwithout\s+(?:my\s+|me\s+|asking|"
        r"any\s+)?(?:permission|consent|authori[sz]ation|asking|agreeing|knowing|knowledge)|"
        r"(?:don'?t|do\s+not)\s+recogni[sz]e\s+(?:this|the|a|these|those|"
        r"that)\s+(?:charge|transaction|payment|debit|order)s?|(?:charge|transaction|payment|"
        r"debit)s?\s+(?:that\s+)?i\s+(?:don'?t|do\s+not)\s+recogni[sz]e|"
        r"(?:haven'?t|have\s+not|hasn'?t)\s+(?:bought|ordered|purchased)\s+anything|"
        r"(?:didn'?t|did\s+not|never)\s+(?:order|buy|purchase|authori[sz]e|make|sign\s+up)\w*"
        r"\b[^.?!]{0,50}\b(?:charg\w*|pa(?:y|id)|debit\w*|billed|taken)|"
        r"(?:charg\w*|debit\w*|billed|took|tak(?:en|ing))\b[^.!]{0,60}\b(?:didn'?t|did\s+not|"
        r"never)\s+"
        r"(?:order|buy|bought|authori[sz]|sign(?:ed)?\s+up|agree|ask)\w*|"
        r"(?:charg\w*|debit\w*|billed|took|tak(?:en|ing))\b[^.!]{0,60}\bfor\s+(?:an?\s+|the\s+)?"
        r"(?:order|item|subscription|membership|something)\s+(?:that\s+)?(?:i|we)\s+(?:had\s+)?"
        r"(?:already\s+)?(?:cancell?ed|returned))\b",
        _I,
    ),
    "legal_threat": re.compile(
        r"\b(?:lawyer|attorney|solicitor|lawsuit|sue|suing|(?<!your\s)court|legal\s+action|"
        r"small\s+claims|consumer\s+(?:forum|court|protection)|ombudsman|trading\s+standards|"
        r"ftc|bbb|better\s+business\s+bureau|attorney\s+general|(?:gov(?:ernment)?|council|"
        r"regulator)\s+(?:office\s+)?and\s+legal|legal\s+(?:team|department|advice)|"
        r"chargeback|charge\s+back|"
        r"disput(?:e|ed|ing)\s+(?:it|the\s+charge|this\s+charge|the\s+payment|the\s+transaction|"
        r"with\s+my\s+bank)|bank\s+(?:is\s+|will\s+be\s+|to\s+)?disput\w*|disput\w*\b[^.?!]{0,30}"
        r"\bwith\s+(?:my|the)\s+(?:bank|credit\s+card|card\s+(?:company|issuer|provider)|paypal)|"
        r"report(?:ing)?\s+(?:you\s+)?to\s+"
        r"(?:the\s+)?(?:police|authorities|regulator)|police\s+(?:report|matter|case)|"
        r"(?:called|call|calling|contacted|contact)\s+the\s+police)\b",
        _I,
    ),
    "safety": re.compile(
        # "burned out" is tiredness, not a burn
        # someone hurt, not "it doesn't hurt to try"
        r"\b(?:injur\w*|(?:got|get|getting|was|been|am|is|were|badly|seriously)\s+hurt|"
        r"hurt\s+(?:my|me|"
        r"him|her|them|us|himself|herself|myself)|burn(?:ed|t|s)?(?!\s+out)|smoke|explod\w*|"
        r"caught\s+fire|electrocut\w*|"
        # accidents and injuries ("by accident" is a slip; "the website crashed" no danger)
        r"(?<!by\s)(?<!on\s)(?:car\s+)?accident(?!ally)|crash(?:ed)?\s+(?:into|with|while)|"
        r"(?:driver|car|he|she)\s+crashed|"
        r"hit\s+my\s+head|in\s+(?:so\s+much\s+)?pain|unconscious|"
        # foreign bodies and dirt in food
        r"(?:piece|bit|shard|chunk)s?\s+of\s+(?:plastic|glass|metal|bone|wood|wire)|"
        r"(?:a|literal|huge)\s+bone\s+in|used\s+(?:napkin|tissue|plaster|band-?aid|bandage)|"
        # a fire, not a Kindle Fire, a Fire TV stick or slang ("spitting fire")
        r"(?<!kindle\s)(?<!amazon\s)(?<!hot\s)(?<!spitting\s)(?<!arcade\s)(?<!by\s)fire(?!\s*(?:tv|"
        r"stick|tablet|hd|phone|emblem|up|\d))|"
        r"shock(?:ed)?\s+me|(?:almost|nearly)\s+(?:hit|ran\s+over|run\s+over|killed)|reckless\w*|"
        r"driving\s+like\s+(?:a\s+)?(?:maniac|lunatic|madman)|shatter(?:ed|s|ing)|bleeding|"
        r"cut\s+(?:me|my\s+(?:hand|finger|foot|arm|leg|mouth))|spark(?:ed|s|ing)|(?:start(?:ed|"
        r"s)?|began|was|is|kept)\s+smoking|"
        r"smoke\s+(?:came|coming|pouring)|(?:van|truck|lorry|vehicle|driver|courier)\s+(?:\w+\s+)?"
        r"(?:hit|struck|crashed\s+into|drove\s+into|backed\s+into|reversed\s+into)\s+(?:my|our|"
        r"the|a)\b|melt(?:ed|ing)|(?:could|might)\s+have\s+(?:killed|"
        r"hurt|injured|electrocuted)|dangerous|unsafe|hazard\w*|choking|allergic\s+reaction|"
        r"swallow(?:ed|ing)|(?:almost|nearly)\s+(?:choked|died|fell|drowned)|"
        r"food\s+poisoning|(?:got|made\s+(?:me|us|my\s+\w+))\s+(?:really\s+)?(?:sick|ill)|"
        r"(?:bone|glass|metal|plastic|hair|bug|insect|cockroach|worm|maggot|mou?ld)s?\s+in\s+"
        r"(?:my|the|our)\s+(?:\w+\s+)?(?:food|chicken|burrito|bowl|meal|sandwich|salad|"
        r"drink|order|pizza|burger|steak|rice|tacos?)|(?:smashed|broke|damaged)\s+(?:my|"
        r"the)\s+(?:door|window|fence|gate|"
        r"car|wall)|(?:reversed|drove|driven|backed|ran|crashed|smashed)\s+(?:in)?to\s+(?:my|our|"
        r"the)\s+"
        r"(?:car|van|wall|fence|gate|house|door|garage|window|dog|cat|child|kid|son|daughter)|"
        r"ran\s+over\s+(?:my|our|the)|knocked\s+(?:down\s+)?(?:my|our|the)\s+(?:wall|fence|gate|"
        r"door)|threw\s+(?:my|the)\s+(?:package|parcel|box))\b",
        _I,
    ),
    "access_loss": re.compile(
        r"\b(?:locked\s+out|account\s+(?:is\s+|was\s+|got\s+|has\s+been\s+)?(?:locked|blocked|"
        r"suspended|disabled|deactivated|closed|frozen|on\s+hold)|(?:can'?t|cannot|unable\s+to|"
        r"won'?t\s+let\s+me)\s+(?:log\s*in(?:to)?|login|sign\s+in(?:to)?|access\s+(?:my|the))|"
        r"(?:money|balance|funds)\s+"
        r"(?:is\s+|are\s+)?(?:stuck|frozen|on\s+hold)|frozen\s+(?:account|funds)|"
        r"stuck\s+(?:in|on)\s+(?:my|the)\s+(?:\w+\s+)?(?:balance|account|wallet|gift\s+card)|"
        r"(?:closed|suspended|deactivated|blocked|locked|disabled|froze|frozen)\s+my\s+(?:\w+\s+)?"
        r"account)\b",
        _I,
    ),
    "churn": re.compile(
        r"\b(?:cancel(?:l?ing)?\s+(?:my\s+)?(?:prime|membership|subscription|account|service)|"
        # leaving for someone else, not "switching to the web player"
        r"clos(?:e|ing)\s+my\s+account|(?:i'?m|i\s+am|i'?ll|i\s+will|will|gonna|going\s+to|"
        r"considering|thinking\s+(?:of|about)|have\s+to|ready\s+to|about\s+to|time\s+to)\s+"
        r"(?:\w+\s+){0,2}switch(?:ing)?\s+to|never\s+(?:shop|order|buy|fly|use)\w*"
        r"\s+(?:with|from|again)|last\s+time\s+i(?:'?ll|\s+will)?\s+(?:ever\s+)?(?:use|order|shop|"
        r"buy|"
        r"fly|book|come|deal|stay)|taking\s+my\s+business|going\s+to\s+the\s+"
        r"(?:press|media|news)|(?:tell|telling)\s+everyone|viral)\b",
        _I,
    ),
}


# The same floors in the other languages customers write to an international retailer in.
# The encoder reads English only, so for these posts the floor is all there is: about a tenth
# of the tweets to AmazonHelp are Spanish or Japanese, and Japanese ones are often about
# unauthorised access or phishing mails posing as the brand. Latin-script words (es, pt, de,
# fr, it) as whole words; Japanese has no spaces, so its words match anywhere.
_INTERNATIONAL_KEYWORDS: dict[str, tuple[str, str]] = {
    "time_pressure": (
        r"urgente|urgencia|dringend|eilig|sofort|d'urgence",
        r"至急|緊急|大至急|今日中",
    ),
    "essential_need": (
        r"medicamentos?|medicinas?|medikament\w*|m[ée]dicaments?|farmacia|farm[aá]cia|"
        r"apotheke|pharmacie|beb[éê]s?|baby(?:nahrung|milch)|rollstuhl|silla\s+de\s+ruedas|"
        r"cadeira\s+de\s+rodas|fauteuil\s+roulant",
        r"処方薬|医薬品|薬が|赤ちゃん|粉ミルク|おむつ|オムツ|車椅子|介護",
    ),
    "account_compromise": (
        r"hacke(?:ado|ada|aron|ó|ou|t)|pirat[ée]e?|gehackt|"
        r"acceso\s+no\s+autorizado|acesso\s+n[aã]o\s+autorizado|acc[eè]s\s+non\s+autoris[ée]|"
        r"(?:robaron|roubaram)\s+(?:mi|minha)\s+(?:cuenta|conta)|conta\s+invadida|"
        r"phishing|suplantaci[oó]n",
        r"不正アクセス|不正ログイン|乗っ取|ハッキング|フィッシング|なりすまし|成りすまし|"
        r"身に覚えのない(?:ログイン|注文|メール)",
    ),
    "money_taken": (
        r"fraude|estafa|betrug\w*|arnaque|escroquerie|truffa|frode|"
        r"(?:cargo|cobro|compra)s?\s+(?:no\s+autorizad[oa]s?|indebid[oa]s?|que\s+no\s+hice)|"
        r"cobran[cç]a\s+indevida|cobr(?:aron|aram|ado)\s+(?:dos|duas)\s+veces|"
        r"cobr(?:aron|aram|ado)\s+(?:dos|duas)\s+vezes|doppelt\s+abgebucht|"
        r"d[ée]bit[ée]\s+deux\s+fois",
        r"不正利用|不正請求|詐欺|架空請求|二重請求|身に覚えのない(?:請求|引き落とし|購入)",
    ),
    "legal_threat": (
        r"abogad[oa]|advogad[oa]|anwalt|avocat|avvocato|demandar\w*|denuncia\w*|"
        r"profeco|procon|verbraucherzentrale|polic[ií]a|pol[ií]cia|polizei|plainte",
        r"弁護士|訴訟|訴え|警察|消費者センター|消費生活センター",
    ),
    "safety": (
        r"peligros[oa]|perigos[oa]|gef[aä]hrlich|dangereu(?:x|se)|pericolos[oa]|herid[oa]|"
        r"verletz\w*|bless[ée]e?|incendio|inc[eê]ndio|quemadura|queimadura",
        r"火事|発火|発煙|怪我|ケガ|やけど|火傷|危険",
    ),
    "access_loss": (
        r"cuenta\s+(?:bloqueada|suspendida|cerrada)|conta\s+(?:bloqueada|suspensa)|"
        r"konto\s+gesperrt|compte\s+(?:bloqu[ée]|suspendu)|account\s+bloccato|"
        r"no\s+puedo\s+(?:entrar|iniciar\s+sesi[oó]n|acceder)",
        r"アカウント(?:が|を)?(?:凍結|停止|ロック)|ログインできな",
    ),
    "churn": (
        r"darme\s+de\s+baja|cancelar\s+(?:mi|minha)\s+(?:cuenta|conta|suscripci[oó]n|assinatura)|"
        r"k[uü]ndig\w*|r[ée]silier",
        r"解約|退会",
    ),
}
INTERNATIONAL_KEYWORDS = international_patterns(_INTERNATIONAL_KEYWORDS)
# The customer's own promise is no deadline for the team ("I'll send it asap").
_OWN_PROMISE = re.compile(
    r"\bi(?:'?ll|\s+will|'?m\s+going\s+to|\s+am\s+going\s+to)\s+(?:\w+\s+){0,5}(?:asap|a\.s\.a\.p)",
    _I,
)
_FLOORS = KeywordFloors(KEYWORDS, INTERNATIONAL_KEYWORDS, skip=_OWN_PROMISE)


def keyword_stakes(text: str) -> list[str]:
    """Stakes whose keyword floor (English or one of the international ones) matches."""
    return _FLOORS.match(text)


@dataclass(frozen=True, slots=True)
class StakeHit:
    strength: float  # 0..1 share of the factor's weight
    how: str  # "keyword" or "similar"


Embedder = Callable[[Sequence[str]], np.ndarray]


class StakeDetector:
    """Finds stakes in a batch of posts from their texts and (optional) sentence embeddings."""

    def __init__(self, settings: StakesSettings, embed: Embedder | None = None) -> None:
        self.settings = settings
        self._embed = embed
        # stake -> exemplar vectors, and the everyday problems' vectors; embedded on first use
        self._vectors: tuple[dict[str, np.ndarray], np.ndarray | None] | None = None
        self._lock = threading.Lock()

    def _exemplar_vectors(self) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        with self._lock:
            if self._vectors is None:
                exemplars: dict[str, np.ndarray] = {}
                ordinary = None
                if self._embed is not None:
                    for name, phrases in self.settings.exemplars.items():
                        if phrases:
                            exemplars[name] = np.asarray(self._embed(list(phrases)))
                    if self.settings.ordinary:
                        ordinary = np.asarray(self._embed(list(self.settings.ordinary)))
                self._vectors = (exemplars, ordinary)
            return self._vectors

    def _ordinary_similarity(self, embeddings: np.ndarray) -> np.ndarray:
        """[N] highest cosine similarity to any everyday problem (-inf without any)."""
        _, ordinary = self._exemplar_vectors()
        if ordinary is None:
            return np.full(len(embeddings), -np.inf)
        return (embeddings @ ordinary.T).max(axis=1)

    def similarities(self, embeddings: np.ndarray) -> dict[str, np.ndarray]:
        """Factor -> [N] highest cosine similarity to any of its exemplars."""
        if embeddings.size == 0:
            return {}
        return {
            name: (embeddings @ vectors.T).max(axis=1)
            for name, vectors in self._exemplar_vectors()[0].items()
        }

    def detect(
        self, texts: Sequence[str], embeddings: np.ndarray | None
    ) -> list[dict[str, StakeHit]]:
        sims: dict[str, np.ndarray] = {}
        if embeddings is not None and self._embed is not None and embeddings.size:
            sims = self.similarities(embeddings)
            ordinary = self._ordinary_similarity(embeddings)
            # closer to an everyday problem than to the stake: the wording is not the stake's
            sims = {name: np.where(s > ordinary, s, -np.inf) for name, s in sims.items()}
        low, ramp = self.settings.similarity, self.settings.ramp
        results: list[dict[str, StakeHit]] = []
        for i, text in enumerate(texts):
            hits: dict[str, StakeHit] = {
                name: StakeHit(1.0, "keyword") for name in keyword_stakes(text)
            }
            for name in STAKES:
                if name in hits:
                    continue
                if name in sims:
                    strength = float(np.clip((sims[name][i] - low) / ramp, 0.0, 1.0))
                    if strength > 0:
                        hits[name] = StakeHit(round(strength, 3), "similar")
            results.append(hits)
        return results


_DETECTORS: dict[tuple[int, str], StakeDetector] = {}
_DETECTORS_LOCK = threading.Lock()


def detector_for(settings: StakesSettings, model: object) -> StakeDetector:
    """One detector per model and exemplar set, so exemplars are embedded once per process."""
    embed = getattr(model, "embed", None)
    key = (id(model), settings.model_dump_json())
    with _DETECTORS_LOCK:
        if key not in _DETECTORS:
            _DETECTORS[key] = StakeDetector(settings, embed if callable(embed) else None)
        return _DETECTORS[key]
