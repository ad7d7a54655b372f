"""Which schools teach which philosophical subject.

A school's own declaration wins. Without one, the network decides: official schools
(GO!, OVSG, POV) must offer all seven subjects; Catholic schools (KOV) offer Catholic
religion; for other free schools nothing is known, so they are not suggested for any.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.institutions.models import Institution, InstitutionKind
from plugins.philosophy_subjects.models import Declaration, DeclaredSubject

OFFICIAL_NETWORKS = ("GO", "OVSG", "POV")
CODES = ("RKG", "PROT", "ORTH", "ANG", "ISR", "ISL", "NCZ")


def default_codes(network_code: str | None) -> set[str]:
    if network_code in OFFICIAL_NETWORKS:
        return set(CODES)
    if network_code == "KOV":
        return {"RKG"}
    return set()


def codes_taught(session: Session, school: Institution) -> set[str]:
    """The subjects ``school`` teaches: its declaration, else its network's default."""
    if session.get(Declaration, school.id) is None:
        return default_codes(school.network_code)
    return set(
        session.scalars(
            select(DeclaredSubject.subject_code).where(DeclaredSubject.school_id == school.id)
        )
    )


def declare(session: Session, school: Institution, codes: set[str]) -> None:
    """Replace ``school``'s declaration by ``codes`` (unknown codes are refused)."""
    unknown = set(codes) - set(CODES)
    if unknown:
        raise ValueError(f"unknown subject codes: {sorted(unknown)}")
    if session.get(Declaration, school.id) is None:
        session.add(Declaration(school_id=school.id))
    session.execute(delete(DeclaredSubject).where(DeclaredSubject.school_id == school.id))
    session.add_all(DeclaredSubject(school_id=school.id, subject_code=code) for code in codes)
    session.flush()


def schools_teaching(session: Session, code: str) -> set[int]:
    """Ids of the schools that teach ``code`` (declared, or by their network's default)."""
    declared = set(
        session.scalars(
            select(DeclaredSubject.school_id).where(DeclaredSubject.subject_code == code)
        )
    )
    undeclared_networks = [n for n in (*OFFICIAL_NETWORKS, "KOV") if code in default_codes(n)]
    by_default = set(
        session.scalars(
            select(Institution.id).where(
                Institution.kind == InstitutionKind.SCHOOL,
                Institution.network_code.in_(undeclared_networks),
                Institution.id.not_in(select(Declaration.school_id)),
            )
        )
    )
    return declared | by_default
