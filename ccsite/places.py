"""The places the centre finder knows, made at build time from the centres themselves.

Why: a family types a postcode or a town, and the finder (templates/assets/places.js)
must turn it into a point to sort the centres by distance, with no server to ask and
nothing sent away. So the build writes the few places it can answer for into
/centres/places.json (read by the finder on its first search, from this site), each with
the middle of the centres there:

- each centre's own postcode (exact: the centre's own position);
- each outward code (`WD19`) of the centres' postcodes: the middle of the centres
  sharing it, so a typed `WD19 4AB` (no centre's) is answered, honestly, as "WD19";
- each town, locality and district of the centres (`Watford`, `South Oxhey`, `Three
  Rivers`): the middle of the centres there. A name that is both (Watford is a town
  and a district) is the town's, the nearer thing.

"The centres there" are its open ones: a closed centre left far out of a town would pull
its middle towards where nothing is offered any more. A place with no open centre (only a
planned one, or one that closed) is still where its centres are, and is known by them:
the families there are the ones who most need the nearest open centre.

Anything else is "no centres known near X", with the district list: never a guess.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .model import Centre


@dataclass(frozen=True)
class Place:
    name: str  # as shown: "WD19", "South Oxhey"
    lat: float
    lon: float
    # when none of its centres is open, what they are: "planned" (all yet to open),
    # "closed" or "not open" (some of each), for the finder to say so; "" when one is
    none_open: str = ""


@dataclass(frozen=True)
class FinderPlaces:
    postcodes: tuple[Place, ...]
    outward: tuple[Place, ...]
    towns: tuple[Place, ...]


def outward_code(postcode: str) -> str:
    """'WD19 7AD' -> 'WD19' (the inward code is always the last three characters)."""
    return re.sub(r"\s+", "", postcode).upper()[:-3]


def name_key(name: str) -> str:
    """How a typed town is compared: 'Bishop's Stortford' and 'bishops  stortford' are
    one place (places.js `nameKey` does the same in the browser)."""
    text = name.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def finder_places(centres: list[Centre]) -> FinderPlaces:
    located = [c for c in centres if c.location is not None]
    postcodes: dict[str, list[Centre]] = {}
    outward: dict[str, list[Centre]] = {}
    for centre in located:
        if centre.address:
            postcodes.setdefault(centre.address.postcode, []).append(centre)
            outward.setdefault(outward_code(centre.address.postcode), []).append(centre)
    towns: dict[str, tuple[str, list[Centre]]] = {}
    # towns first, then localities, then districts: the first to give a name keeps it.
    # A town is where its own centres are, not the villages its post goes through (a
    # centre with a locality): Ware's middle was between Puckeridge and Stanstead Abbotts
    for names in (lambda c: [c.address.town] if c.address and not c.address.locality else [],
                  lambda c: [c.address.town] if c.address else [],
                  lambda c: [c.address.locality] if c.address and c.address.locality else [],
                  lambda c: [c.district]):
        found: dict[str, tuple[str, list[Centre]]] = {}
        for centre in located:
            for name in names(centre):
                found.setdefault(name_key(name), (name, []))[1].append(centre)
        for key, value in found.items():
            towns.setdefault(key, value)
    return FinderPlaces(
        postcodes=tuple(_middle(code, group) for code, group in sorted(postcodes.items())),
        outward=tuple(_middle(code, group) for code, group in sorted(outward.items())),
        towns=tuple(_middle(name, group) for _, (name, group) in sorted(towns.items())))


def _middle(name: str, centres: list[Centre]) -> Place:
    """The middle of a few centres close together (its open ones where it has any): the
    mean of their positions is as good as any over a town's width."""
    open_ones = [c for c in centres if c.state == "open"]
    # (a centre "opening", on a date to come, is as a planned one: not open yet)
    states = {"closed" if c.state == "closed" else "planned" for c in centres}
    none_open = "" if open_ones else states.pop() if len(states) == 1 else "not open"
    centres = open_ones or centres
    lat = sum(c.location.lat for c in centres) / len(centres)
    lon = sum(c.location.lon for c in centres) / len(centres)
    return Place(name, round(lat, 4), round(lon, 4), none_open)


PLACES_FILE = "centres/places.json"


def places_json(centres: list[Centre]) -> str:
    """The finder's places: {"postcodes": {"WD19 7AD": [lat, lon]}, "outward": {...},
    "towns": {...}} (places.js `find`); a place with no open centre has a third item, what
    its centres are instead (`Place.none_open`: "Royston's centre is not open yet"), a
    postcode too: typed whole, a planned centre's was taken for one that is open."""
    places = finder_places(centres)
    return json.dumps({kind: {p.name: [p.lat, p.lon, *([p.none_open] if p.none_open else [])]
                              for p in getattr(places, kind)}
                       for kind in ("postcodes", "outward", "towns")},
                      ensure_ascii=False, separators=(",", ":")) + "\n"
