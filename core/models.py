"""Import every core model so that ``Base.metadata`` knows all core tables."""

from core.accounts.models import AccountToken, LoginFailure, Membership, Role, User
from core.audit.models import AuditEntry
from core.catalogue.models import EducationLevel, Subject, TrainingKind
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.mail.models import MailStatus, OutboxMessage
from core.notifications.models import DigestItem, NotificationPreference
from core.offers.models import HostingEstimate, HostingStatus, Offer, OfferStatus
from core.placements.models import (
    BulkUpload,
    InternshipKind,
    PlacementRequest,
    RequestEvent,
    RequestMessage,
    RequestStatus,
    Student,
)
from core.plugins.regions import PluginRegion
from core.reference.models import Municipality, Network, Postcode, Region

__all__ = [
    "BulkUpload",
    "DigestItem",
    "NotificationPreference",
    "RequestMessage",
    "HostingEstimate",
    "HostingStatus",
    "AccountToken",
    "AuditEntry",
    "LoginFailure",
    "Campus",
    "EducationLevel",
    "Institution",
    "InstitutionKind",
    "InternshipKind",
    "MailStatus",
    "Membership",
    "Municipality",
    "Network",
    "Offer",
    "OfferStatus",
    "OutboxMessage",
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
