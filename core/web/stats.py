"""Figures shown on the home page."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.catalogue.models import EducationLevel, Subject
from core.dashboards.queries import request_counts
from core.institutions.models import Institution, InstitutionKind, RegistrationStatus
from core.kept import kept
from core.offers.models import Offer, OfferStatus
from core.offers.services import visible_in_region
from core.plugins.manager import Plugins


def home_figures(session: Session, plugins: Plugins) -> dict[str, int]:
    """Registered schools and programmes, visible published offers and places, requests:
    counted at most a minute ago (see :func:`core.kept.kept`)."""
    return kept("home_figures", lambda: count_figures(session, plugins))[0]


def count_figures(session: Session, plugins: Plugins) -> dict[str, int]:
    """The figures of :func:`home_figures`, counted now."""

    def count_institutions(kind: InstitutionKind) -> int:
        return session.scalar(
            select(func.count()).where(
                Institution.kind == kind, Institution.status == RegistrationStatus.APPROVED
            )
        )

    offers, places = session.execute(
        select(func.count(Offer.id), func.coalesce(func.sum(Offer.places), 0))
        .join(Offer.school)
        .join(Offer.subject)
        .join(Subject.level)
        .where(Offer.status == OfferStatus.PUBLISHED, visible_in_region(session, plugins))
    ).one()
    return {
        "schools": count_institutions(InstitutionKind.SCHOOL),
        "programmes": count_institutions(InstitutionKind.PROGRAMME),
        "offers": offers,
        "places": places,
        "requests": sum(count for _status, count in request_counts(session)[0]),
        "levels": session.scalar(
            select(func.count()).select_from(EducationLevel).where(EducationLevel.active)
        ),
    }
