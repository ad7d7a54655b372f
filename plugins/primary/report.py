"""The pilot report: per enabled region, primary schools, offers and requests."""

from __future__ import annotations

from sqlalchemy import func, select

from core.plugins.types import Name, ReportSection
from plugins.primary.catalogue import LEVEL_CODE

PLUGIN_NAME = "primary"

COLUMNS = ("regio", "scholen", "aanbod", "aanvragen")


def pilot_section(session, start, end, enabled_by_default: bool) -> ReportSection:
    """Counts for each region where the plugin is enabled, in region order.

    A region without a ``PluginRegion`` row follows ``enabled_by_default``.

    ``scholen``: approved schools that teach the level; ``aanbod``: their published offers
    at the level; ``aanvragen``: requests at the level created in ``[start, end)``.
    """
    # Imported here: the core imports the plugins while it builds the app.
    from core.catalogue.models import EducationLevel
    from core.institutions.models import Institution, InstitutionKind, RegistrationStatus
    from core.offers.models import Offer, OfferStatus
    from core.placements.models import PlacementRequest
    from core.plugins.regions import PluginRegion
    from core.reference.models import Region

    stored = dict(
        session.execute(
            select(PluginRegion.region_code, PluginRegion.enabled).where(
                PluginRegion.plugin == PLUGIN_NAME
            )
        ).all()
    )
    regions = [
        code
        for code in session.scalars(select(Region.code).order_by(Region.position))
        if stored.get(code, enabled_by_default)
    ]

    def per_region(query) -> dict[str, int]:
        return dict(
            session.execute(
                query.where(Institution.region_code.in_(regions)).group_by(Institution.region_code)
            ).all()
        )

    schools = per_region(
        select(Institution.region_code, func.count(Institution.id)).where(
            Institution.kind == InstitutionKind.SCHOOL,
            Institution.status == RegistrationStatus.APPROVED,
            Institution.levels.any(EducationLevel.code == LEVEL_CODE),
        )
    )
    offers = per_region(
        select(Institution.region_code, func.count(Offer.id))
        .join(Offer.school)
        .where(Offer.level_code == LEVEL_CODE, Offer.status == OfferStatus.PUBLISHED)
    )
    requests = per_region(
        select(Institution.region_code, func.count(PlacementRequest.id))
        .join(PlacementRequest.school)
        .where(
            PlacementRequest.level_code == LEVEL_CODE,
            PlacementRequest.created_at >= start,
            PlacementRequest.created_at < end,
        )
    )
    return ReportSection(
        key="primary_pilot",
        title=Name("Pilot basisonderwijs", "Primary education pilot"),
        columns=COLUMNS,
        rows=tuple(
            (code, schools.get(code, 0), offers.get(code, 0), requests.get(code, 0))
            for code in regions
        ),
    )
