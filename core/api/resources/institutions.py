"""Schools and programmes (read only), and the catalogue of levels and subjects."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.access.current import current_actor
from core.access.policy import Denied
from core.access.routes import Access, access
from core.api.common import Presented, api_blueprint, page_of_query
from core.api.schemas import InstitutionArgs, InstitutionSchema, LevelSchema, page_of
from core.catalogue.models import EducationLevel, Subject
from core.database import db_session
from core.institutions.models import Campus, Institution, RegistrationStatus

blp = api_blueprint("institutions", "Schools and teacher-training programmes; levels, subjects.")


def _visible():
    """Approved institutions (the ones on the platform); an administrator sees all."""
    return [] if current_actor().is_admin else [Institution.status == RegistrationStatus.APPROVED]


@blp.route("/institutions")
@access(Access.MEMBER)
@blp.arguments(InstitutionArgs, location="query")
@blp.response(200, page_of(InstitutionSchema))
def list_institutions(args):
    """Institutions by name; filter on kind and region."""
    statement = (
        select(Institution)
        .where(*_visible())
        .options(
            selectinload(Institution.campuses).joinedload(Campus.municipality),
            selectinload(Institution.levels),
        )
        .order_by(Institution.name, Institution.id)
    )
    if args.get("kind"):
        statement = statement.where(Institution.kind == args["kind"])
    if args.get("region"):
        statement = statement.where(Institution.region_code == args["region"])
    return page_of_query(db_session(), statement, args)


@blp.route("/institutions/<id:institution_id>")
@access(Access.MEMBER)
@blp.response(200, InstitutionSchema)
def get_institution(institution_id: int):
    institution = db_session().scalar(
        select(Institution).where(Institution.id == institution_id, *_visible())
    )
    if institution is None:
        raise Denied()
    return institution


@blp.route("/levels")
@access(Access.MEMBER)
@blp.response(200, LevelSchema(many=True))
def list_levels():
    """Active education levels with their active subjects (ids for offers and requests)."""
    session = db_session()
    levels = list(
        session.scalars(
            select(EducationLevel)
            .where(EducationLevel.active)
            .order_by(EducationLevel.position, EducationLevel.code)
        )
    )
    subjects = session.scalars(
        select(Subject).where(Subject.active).order_by(Subject.name_nl, Subject.id)
    )
    by_level: dict[str, list[Subject]] = {}
    for subject in subjects:
        by_level.setdefault(subject.level_code, []).append(subject)
    return [Presented(level, subjects=by_level.get(level.code, [])) for level in levels]
