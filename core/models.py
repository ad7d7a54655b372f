"""Import every core model so that ``Base.metadata`` knows all core tables."""

from core.accounts.models import Membership, Role, User
from core.catalogue.models import EducationLevel, Subject, TrainingKind
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.offers.models import Offer, OfferStatus
from core.placements.models import (
    InternshipKind,
    PlacementRequest,
    RequestEvent,
    RequestStatus,
    Student,
)
from core.plugins.regions import PluginRegion
from core.reference.models import Municipality, Network, Postcode, Region

__all__ = [
    "Campus",
    "EducationLevel",
    "Institution",
    "InstitutionKind",
    "InternshipKind",
    "Membership",
    "Municipality",
    "Network",
    "Offer",
    "OfferStatus",
    "PlacementRequest",
    "PluginRegion",
    "Postcode",
    "Region",
    "RegistrationStatus",
    "RequestEvent",
    "RequestStatus",
    "Role",
    "Student",
    "Subject",
    "TrainingKind",
    "User",
]
