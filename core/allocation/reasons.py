"""Why a proposal line got its place, or none, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.allocation import solver
from core.allocation.models import ProposalLine

#: The allocation rule as coordinators read it (pages and API description).
RULE = _l(
    "Eerst krijgen zoveel mogelijk studenten minstens één plaats: niemand blijft zonder "
    "plaats zodat een ander een iets betere school of een tweede vak krijgt. Daarna worden "
    "zoveel mogelijk tweede vakken geplaatst. Pas dan tellen de wensen: hoe lager op de "
    "lijst, hoe zwaarder het weegt (twee studenten op hun tweede wens gaat voor één op de "
    "eerste en één op de derde), en bij gelijke wensen de kortste afstand."
)

_UNPLACED = {
    solver.NO_OFFER: _l(
        "Geen gepubliceerd aanbod met vrije plaatsen voor dit vak en niveau in dit schooljaar."
    ),
    solver.NOT_TAUGHT: _l("Geen school met aanbod geeft dit levensbeschouwelijk vak."),
    solver.NO_PERIOD: _l("Geen aanbod voor dit vak in de periode van de student."),
    solver.NO_PAIR: _l(
        "Geen school heeft binnen de afstand en de periode plaats voor beide vakken samen."
    ),
}


def line_reason(line: ProposalLine) -> str:
    """One sentence: the wish met, the nearest place, or why there is none and what would
    free a place (the binding capacity)."""
    detail = line.detail or {}
    if line.reason == "edited":
        return _("Aangepast door de coördinator.")
    if line.reason == solver.WISH:
        return _("Wens %(rank)d vervuld.", rank=line.wish_rank)
    if line.reason == solver.NEAREST_FREE:
        if line.distance_km is None:
            return _("Geen wens vrij of passend: een passende plaats.")
        return _(
            "Geen wens vrij of passend: de dichtstbijzijnde passende plaats (%(km)d km).",
            km=round(line.distance_km),
        )
    if line.reason in _UNPLACED:
        return str(_UNPLACED[line.reason])
    if line.reason == solver.TOO_FAR:
        if "nearest_km" in detail:
            return _(
                "Geen aanbod binnen de maximale afstand; het dichtstbijzijnde ligt op %(km)d km.",
                km=round(detail["nearest_km"]),
            )
        return _("Geen aanbod binnen de maximale afstand.")
    binding = detail.get("binding")
    if binding and binding["kind"] == "offer":
        return _(
            "Alle passende plaatsen zijn ingenomen. Volzet: %(name)s. Eén plaats meer bij "
            "dat aanbod zou een plaats vrijmaken.",
            name=binding["name"],
        )
    if binding:
        return _(
            "Alle passende plaatsen zijn ingenomen. %(name)s heeft haar maximum aantal "
            "stagiairs voor dit schooljaar bereikt; een hogere capaciteit van die school zou "
            "een plaats vrijmaken.",
            name=binding["name"],
        )
    return _("Alle passende plaatsen zijn ingenomen.")
