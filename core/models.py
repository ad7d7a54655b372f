"""Import every core model so that ``Base.metadata`` knows all core tables."""

from core.accounts.models import AccountToken, LoginFailure, Membership, Role, User
from core.allocation.models import Proposal, ProposalLine, StudentWishes, WishChoice
from core.api.models import ApiToken
from core.audit.models import AuditEntry
from core.bridges.models import BridgeMapping, BridgeOutbox, BridgeRun, BridgeRunIssue
from core.catalogue.models import EducationLevel, Subject, TrainingKind
from core.helpdesk.models import FaqEntry, Ticket
from core.institutions.models import Campus, Institution, InstitutionKind, RegistrationStatus
from core.mail.models import MailStatus, OutboxMessage
from core.newsletters.models import (
    Newsletter,
    NewsletterOptOut,
    NewsletterRecipient,
    NewsletterSchool,
)
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
from core.web.data_version import DataVersion

__all__ = [
    "BridgeMapping",
    "Proposal",
    "ProposalLine",
    "StudentWishes",
    "WishChoice",
    "BridgeOutbox",
    "BridgeRun",
    "BridgeRunIssue",
    "BulkUpload",
    "DigestItem",
    "NotificationPreference",
    "RequestMessage",
    "HostingEstimate",
    "HostingStatus",
    "AccountToken",
    "ApiToken",
    "AuditEntry",
    "LoginFailure",
    "Campus",
    "EducationLevel",
    "FaqEntry",
    "Institution",
    "InstitutionKind",
    "InternshipKind",
    "MailStatus",
    "Membership",
    "Municipality",
    "Network",
    "Newsletter",
    "NewsletterOptOut",
    "NewsletterRecipient",
    "NewsletterSchool",
    "Offer",
    "OfferStatus",
    "OutboxMessage",
    "PlacementRequest",
    "PluginRegion",
    "DataVersion",
    "Postcode",
    "Region",
    "RegistrationStatus",
    "RequestEvent",
    "RequestStatus",
    "Role",
    "Student",
    "Subject",
    "Ticket",
    "TrainingKind",
    "User",
]
