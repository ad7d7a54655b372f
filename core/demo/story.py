"""How the demo builder's story reaches the database: through the services, or in bulk.

The builder (:mod:`core.demo.generator`) decides everything that happens: who asks which
school for what, who answers and when. A *story* carries those events out.

- :class:`ServiceStory` (the small demo) runs every event through the platform's own
  services: ``publish_offer``, ``set_hosting_status``, ``record_creation``, ``transition``,
  ``assign_mentor`` and ``post_message``, in the ORM session.
- :class:`BulkStory` (the Flanders-scale demo) keeps the same rows in memory, counts places
  as the services count them (:data:`~core.placements.services.HOLDS_A_PLACE`, the offer's
  places and the school's capacity, refusing beyond either) and writes everything at the
  end with :func:`core.demo.bulk.write_objects`, one multi-row INSERT per table.

Both give the same rows for the same seed; ``tests/test_demo.py`` checks that.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from core.access.policy import Actor
from core.accounts.models import User
from core.demo.bulk import fill_defaults, insert_rows, write_objects
from core.institutions.models import Institution
from core.notifications.models import DeliveryMode, NotificationKind, NotificationPreference
from core.offers.models import (
    HostingAnswer,
    HostingEstimate,
    HostingStatus,
    NoHostingReason,
    Offer,
    OfferStatus,
)
from core.offers.school_years import school_year_of
from core.offers.services import publish_offer, set_hosting_status
from core.placements.models import PlacementRequest, RequestEvent, RequestMessage, RequestStatus
from core.placements.services import (
    HOLDS_A_PLACE,
    assign_mentor,
    post_message,
    record_creation,
    transition,
)
from core.plugins.manager import Plugins


class ServiceStory:
    """Every event through the platform's services, in the ORM session."""

    def __init__(self, session: Session, plugins: Plugins, clock):
        self.session = session
        self.plugins = plugins
        self.clock = clock

    @staticmethod
    def new(cls: type, **values: Any) -> Any:
        return cls(**values)

    def keep(self, *objects: Any) -> None:
        self.session.add_all(objects)

    def flush(self) -> None:
        self.session.flush()

    def silence(self, users: list[User]) -> list[NotificationPreference]:
        """Switch every notification off while the history is replayed.

        The demo's past happened before the load: nobody should get mail about it now.
        Users' own preferences (none yet: they are new) are restored by :meth:`finish`.
        """
        self.session.flush()
        rows = [
            NotificationPreference(user_id=user.id, kind=kind, mode=DeliveryMode.OFF)
            for user in users
            for kind in NotificationKind
        ]
        self.session.add_all(rows)
        self.session.flush()
        self.silenced = rows  # held, so lookups during the load hit the identity map
        return rows

    def finish(self) -> None:
        self.session.flush()
        ids = sorted({row.user_id for row in self.silenced})
        for index in range(0, len(ids), 500):
            self.session.execute(
                delete(NotificationPreference).where(
                    NotificationPreference.user_id.in_(ids[index : index + 500])
                )
            )
        for row in self.silenced:
            self.session.expunge(row)
        self.session.flush()

    def publish(self, offer: Offer) -> None:
        publish_offer(self.session, self.plugins, offer)

    def host(
        self, actor: Actor, school: Institution, school_year: str, answer: HostingAnswer, **options
    ) -> HostingStatus:
        return set_hosting_status(self.session, actor, school, school_year, answer, **options)

    def create(self, request: PlacementRequest, user: User) -> None:
        self.session.add(request)
        record_creation(self.session, request, user)

    def step(
        self, request: PlacementRequest, to_status: RequestStatus, actor: Actor | None, reason: str
    ) -> None:
        transition(self.session, self.plugins, request, to_status, actor, reason)

    def assign_mentor(self, actor: Actor, request: PlacementRequest, mentor: User) -> None:
        assign_mentor(self.session, actor, request, mentor.id)

    def message(self, actor: Actor, request: PlacementRequest, body: str) -> None:
        post_message(self.session, actor, request, body)


class PlaceRefused(Exception):
    """The bulk story would overbook: a bug in the builder, never shown to a user."""


class BulkStory:
    """The same events kept in memory and written at the end, one INSERT per table.

    Nothing is sent and no plugin is told (as with the small demo, whose notifications
    are switched off during the load); places are counted as :func:`transition` counts
    them.
    """

    def __init__(self, session: Session, plugins: Plugins, clock):
        self.session = session
        self.clock = clock
        self.objects: list[Any] = []
        self.events: list[tuple] = []
        self.messages: list[tuple] = []
        self.hosting: dict[tuple[int, str], HostingStatus] = {}

    @staticmethod
    def new(cls: type, **values: Any) -> Any:
        """A new object with ``values`` put in place without the ORM's attribute events
        (ten times faster; the writer reads them from the instance's ``__dict__``)."""
        obj = cls._sa_class_manager.new_instance()
        obj.__dict__.update(values)
        return obj

    def keep(self, *objects: Any) -> None:
        for obj in objects:
            self._stamp(obj)
        self.objects.extend(objects)

    def _stamp(self, obj: Any) -> None:
        """What a flush does: new rows get the simulated time and their defaults."""
        for name in ("created_at", "updated_at"):
            if hasattr(obj, name) and getattr(obj, name) is None:
                setattr(obj, name, self.clock.now)
        fill_defaults(obj)

    def flush(self) -> None:
        """Nothing to do before the end: the rows are written by :meth:`finish`."""

    def silence(self, users: list[User]) -> list:
        return []

    def finish(self) -> None:
        write_objects(self.session, self.objects)
        insert_rows(
            self.session,
            RequestEvent.__table__,
            [
                {
                    "request_id": request.id,
                    "actor_id": user.id if user else None,
                    "from_status": from_status.value if from_status else None,
                    "to_status": to_status,
                    "reason": reason,
                    "created_at": at,
                }
                for request, user, from_status, to_status, reason, at in self.events
            ],
        )
        insert_rows(
            self.session,
            RequestMessage.__table__,
            [
                {
                    "request_id": request.id,
                    "author_id": user.id,
                    "institution_id": membership.institution.id,
                    "body": body,
                    "created_at": at,
                }
                for request, user, membership, body, at in self.messages
            ],
        )

    def publish(self, offer: Offer) -> None:
        offer.status = OfferStatus.PUBLISHED

    def host(
        self,
        actor: Actor,
        school: Institution,
        school_year: str,
        answer: HostingAnswer,
        capacity: int | None = None,
        no_reason: NoHostingReason | None = None,
        estimates: dict[int, int] | None = None,
    ) -> HostingStatus:
        status = self.hosting.get((id(school), school_year))
        if status is None:
            status = self.new(
                HostingStatus, school=school, school_year=school_year, accepted_count=0
            )
            self.hosting[id(school), school_year] = status
            self.keep(status)
        status.answer = answer
        status.no_reason = no_reason if answer is HostingAnswer.NO else None
        status.capacity = capacity
        status.estimates = (
            [HostingEstimate(subject_id=s, places=n) for s, n in (estimates or {}).items()]
            if answer is HostingAnswer.MAYBE
            else []
        )
        status.updated_at = self.clock.now
        return status

    def create(self, request: PlacementRequest, user: User) -> None:
        self.keep(request)
        self._event(request, user, None, request.status)

    def step(
        self, request: PlacementRequest, to_status: RequestStatus, actor: Actor | None, reason: str
    ) -> None:
        from_status = request.status
        if to_status in HOLDS_A_PLACE and from_status not in HOLDS_A_PLACE:
            self._take_place(request)
        elif from_status in HOLDS_A_PLACE and to_status not in HOLDS_A_PLACE:
            self._free_place(request)
        request.status = to_status
        request.updated_at = self.clock.now
        self._event(request, actor.user if actor else None, from_status, to_status, reason)

    def _event(self, request, user, from_status, to_status, reason: str = "") -> None:
        """Kept as a plain row (an ORM object each would cost more than the request)."""
        self.events.append(
            (request, user, from_status, to_status.value, reason.strip(), self.clock.now)
        )

    def _school_year(self, request: PlacementRequest) -> HostingStatus | None:
        year = request.offer.school_year if request.offer else school_year_of(request.period_start)
        return self.hosting.get((id(request.school), year))

    def _take_place(self, request: PlacementRequest) -> None:
        offer = request.offer
        if offer is not None:
            if offer.accepted_count >= offer.places:
                raise PlaceRefused(f"offer {offer.subject.code} of {offer.school.name} is full")
            offer.accepted_count += 1
        status = self._school_year(request)
        if status is not None:
            if status.answer in (HostingAnswer.NO, HostingAnswer.FULL) or (
                status.capacity is not None and status.accepted_count >= status.capacity
            ):
                raise PlaceRefused(f"{request.school.name} takes no more trainees")
            status.accepted_count += 1

    def _free_place(self, request: PlacementRequest) -> None:
        if request.offer is not None and request.offer.accepted_count > 0:
            request.offer.accepted_count -= 1
        status = self._school_year(request)
        if status is not None and status.accepted_count > 0:
            status.accepted_count -= 1

    def assign_mentor(self, actor: Actor, request: PlacementRequest, mentor: User) -> None:
        request.mentor = mentor

    def message(self, actor: Actor, request: PlacementRequest, body: str) -> None:
        self.messages.append((request, actor.user, actor.membership, body.strip(), self.clock.now))
