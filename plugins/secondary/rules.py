"""Cross-field rules for the secondary-education attributes of an offer or request.

Each field was already checked against its choices by the core; these rules only refuse
combinations that do not exist in Flemish secondary education.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from plugins.common import YES, errors_from
from plugins.secondary.catalogue import (
    ARBEIDSMARKT,
    DOORSTROOM,
    DUBBEL,
    FIRST_GRAAD,
    OV4,
    SENSO,
)

# Since the modernisation, every study programme of the 2nd and 3rd graad sits in the
# matrix under one finaliteit, and each finaliteit holds programmes of fixed onderwijsvormen:
# doorstroom = ASO, TSO and KSO; dubbele finaliteit = TSO and KSO; arbeidsmarkt = BSO.
FINALITEITEN_BY_ONDERWIJSVORM = {
    "ASO": {DOORSTROOM},
    "TSO": {DOORSTROOM, DUBBEL},
    "KSO": {DOORSTROOM, DUBBEL},
    "BSO": {ARBEIDSMARKT},
}


def check(attributes: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [message, ...]}`` for every broken rule; ``{}`` when the values fit."""
    return errors_from(_problems(attributes))


def _problems(attributes: Mapping[str, Any]) -> Iterator[tuple[str, object]]:
    graad = attributes.get("graad")
    leerjaar = attributes.get("leerjaar")
    finaliteit = attributes.get("finaliteit")
    onderwijsvorm = attributes.get("onderwijsvorm")
    opleidingsvorm = attributes.get("opleidingsvorm")
    first_graad = graad == FIRST_GRAAD

    # 1A, 1B, 2A and 2B are the two years (and two streams) of the 1st graad; from the
    # 2nd graad on, pupils are in a study programme, not in a stream.
    if leerjaar and graad and not first_graad:
        yield "leerjaar", _l("Een leerjaar (1A, 1B, 2A of 2B) bestaat alleen in de 1ste graad.")

    # The 1st graad is a common, orienting stage: finaliteiten and the onderwijsvormen
    # ASO, TSO, KSO and BSO only start in the 2nd graad.
    if finaliteit and first_graad:
        yield "finaliteit", _l("Een finaliteit kan pas vanaf de 2de graad.")
    if onderwijsvorm and first_graad:
        yield (
            "onderwijsvorm",
            _l("Een onderwijsvorm (ASO, TSO, KSO of BSO) kan pas vanaf de 2de graad."),
        )

    # The matrix pairs each onderwijsvorm with its finaliteiten (see above). Se-n-Se
    # programmes sit outside the 2nd/3rd graad matrix, so they are not checked here.
    if (
        finaliteit
        and onderwijsvorm in FINALITEITEN_BY_ONDERWIJSVORM
        and graad not in (FIRST_GRAAD, SENSO)
        and finaliteit not in FINALITEITEN_BY_ONDERWIJSVORM[onderwijsvorm]
    ):
        yield (
            "finaliteit",
            _l(
                "Deze finaliteit past niet bij de onderwijsvorm: ASO hoort bij doorstroom, "
                "TSO en KSO bij doorstroom of dubbele finaliteit, BSO bij arbeidsmarkt."
            ),
        )

    # Opleidingsvormen (OV1-OV4) are the forms of buitengewoon secundair onderwijs only.
    if opleidingsvorm and attributes.get("buitengewoon") != YES:
        yield (
            "opleidingsvorm",
            _l("Een opleidingsvorm bestaat alleen in het buitengewoon secundair onderwijs."),
        )

    # Only OV4 follows the curriculum of regular secondary education (and so its
    # onderwijsvormen); OV1, OV2 and OV3 have programmes of their own.
    if onderwijsvorm and opleidingsvorm and opleidingsvorm != OV4:
        yield (
            "onderwijsvorm",
            _l("Alleen opleidingsvorm 4 volgt de onderwijsvormen ASO, TSO, KSO en BSO."),
        )
