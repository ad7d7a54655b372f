"""Rules for offers: publishing, and which offers a visitor of a region may see."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from core.catalogue.models import EducationLevel, Subject
from core.institutions.models import Institution
from core.offers.models import Offer, OfferStatus
from core.plugins.manager import Plugins
from core.plugins.regions import enablement


def publish_offer(session: Session, plugins: Plugins, offer: Offer) -> None:
    """Publish a draft or closed offer and tell the plugins. The caller commits."""
    offer.status = OfferStatus.PUBLISHED
    session.flush()
    plugins.hook.stagebank_offer_published(offer=offer)


def published_offers(
    session: Session,
    plugins: Plugins,
    region_code: str | None = None,
    level_code: str | None = None,
    limit: int = 100,
) -> list[Offer]:
    """Published offers whose level and subject plugins are enabled in the school's region."""
    query = (
        select(Offer)
        .join(Offer.school)
        .join(Offer.subject)
        .join(Subject.level)
        .where(Offer.status == OfferStatus.PUBLISHED, visible_in_region(session, plugins))
        .options(
            contains_eager(Offer.school),
            contains_eager(Offer.subject).contains_eager(Subject.level),
            joinedload(Offer.campus),
        )
        .order_by(Offer.updated_at.desc(), Offer.id)
        .limit(limit)
    )
    if region_code:
        query = query.where(Institution.region_code == region_code)
    if level_code:
        query = query.where(Offer.level_code == level_code)
    return list(session.scalars(query))


def visible_in_region(session: Session, plugins: Plugins) -> ColumnElement[bool]:
    """SQL condition: the subject's and level's plugins are enabled in the school's region.

    Needs ``Institution`` (the school), ``Subject`` and ``EducationLevel`` in the query.
    """
    by_region: dict[str, list[str]] = {}
    for plugin, regions in enablement(session, plugins).items():
        for region in regions:
            by_region.setdefault(region, []).append(plugin)
    return or_(
        false(),
        *(
            and_(
                Institution.region_code == region,
                Subject.plugin.in_(names),
                EducationLevel.plugin.in_(names),
            )
            for region, names in sorted(by_region.items())
        ),
    )
