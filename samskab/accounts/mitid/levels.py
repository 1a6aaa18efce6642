"""How each MitID broker writes the NSIS levels in `acr_values` and in the ID token's `acr`.

Pure: no Django. The values are the brokers' documented ones:
- "nsis": the NSIS URIs, as Signaturgruppen's broker (Nets eID Broker) writes them
  (https://data.gov.dk/concept/core/nsis/<level>);
- "idura": Idura (Criipto) Verify, whose acr_values also pick the eID:
  urn:grn:authn:dk:mitid:<level>;
- "signicat": Signicat's eID Hub, acr_values=loa:<level>.
A broker not named here is configured with MITID_ACCEPTED_ACR alone (docs/nemlog-in.md).
"""

from collections.abc import Sequence

LEVELS = ("low", "substantial", "high")

BROKER_ACR: dict[str, dict[str, str]] = {
    "nsis": {level: f"https://data.gov.dk/concept/core/nsis/{level}" for level in LEVELS},
    "idura": {level: f"urn:grn:authn:dk:mitid:{level}" for level in LEVELS},
    "signicat": {level: f"loa:{level}" for level in LEVELS},
}


def broker_acr(broker: str, levels: Sequence[str] = ("substantial", "high")) -> list[str]:
    """The broker's acr values for these levels (the default accepted set)."""
    table = BROKER_ACR.get(broker) or BROKER_ACR["nsis"]
    return [table[level] for level in levels]


def level_of(acr: str | None) -> str:
    """The NSIS level an acr value names ('' if none): the last word after '/' or ':'."""
    text = (acr or "").strip().rstrip("/")
    for separator in ("/", ":"):
        text = text.rsplit(separator, 1)[-1]
    word = text.strip().lower()
    return word if word in LEVELS else ""


def step_up_acr(required: str, *, accepted: Sequence[str], broker: str) -> tuple[str, list[str]]:
    """For a login that must be at `required` or higher: the one acr value to ask for, and
    every acr value to accept back (the broker may authenticate at a higher level).

    Asked: the accepted value at exactly that level, else the broker's own; accepted: the
    accepted values at that level or higher, and the broker's own ones at that level or
    higher (a step-up above the site's usual levels must still be possible). Never below
    the lowest accepted level: a visitor naming a lower level in the address gains nothing."""
    known = [LEVELS.index(level_of(acr)) for acr in accepted if level_of(acr)]
    rank = max(LEVELS.index(required), min(known, default=0))
    required = LEVELS[rank]
    table = BROKER_ACR.get(broker) or BROKER_ACR["nsis"]
    at_least = [acr for acr in accepted if level_of(acr) and LEVELS.index(level_of(acr)) >= rank]
    own = [table[level] for level in LEVELS[rank:]]
    exact = [acr for acr in at_least if level_of(acr) == required]
    ask = exact[0] if exact else table[required]
    return ask, list(dict.fromkeys([*at_least, *own]))
