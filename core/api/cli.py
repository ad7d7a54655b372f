"""``stagebank token ...``: personal API tokens from the command line."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from core.accounts.models import Role, User
from core.accounts.services import normalise_email
from core.api import tokens
from core.database import database


@click.group("token")
def token_group():
    """Personal API tokens."""


def _membership(user: User, institution_id: int | None, role: str | None):
    """The one membership of ``user`` the options point at (None: as administrator)."""
    candidates = [
        m
        for m in sorted(user.memberships, key=lambda m: m.id)
        if (institution_id is None or m.institution_id == institution_id)
        and (role is None or m.role == role)
    ]
    if institution_id is None and role is None and user.is_admin:
        return None
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise click.ClickException(f"{user.email} has no such role; see --institution and --role.")
    choices = ", ".join(f"--institution {m.institution_id} --role {m.role}" for m in candidates)
    raise click.ClickException(f"{user.email} has several roles; choose one: {choices}.")


@token_group.command("create")
@click.argument("email")
@click.option("--institution", "institution_id", type=int, help="Act in this institution (id).")
@click.option("--role", type=click.Choice([r.value for r in Role]), help="Act in this role there.")
@click.option("--read-only", is_flag=True, help="The token may only read.")
@click.option("--name", default="command line", show_default=True, help="A name to recognise it.")
@with_appcontext
def create_command(email: str, institution_id, role, read_only: bool, name: str):
    """Make a token for the person with EMAIL and print it (shown only this once).

    Without --institution it acts in the person's only role (an administrator's acts as
    administrator)."""
    with database(current_app).sessionmaker() as session, session.begin():
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None or not user.active:
            raise click.ClickException(f"No active account with the email address {email}.")
        membership = _membership(user, institution_id, role)
        try:
            token, secret = tokens.create_token(session, user, name, membership, read_only)
        except tokens.TokenRefused as refused:
            raise click.ClickException(
                " ".join(m for messages in refused.errors.values() for m in messages)
            ) from None
        where = membership.institution.name if membership else "administrator"
        access = "read-only" if read_only else "read and write"
        click.echo(f"Token {token.id} for {user.email} ({where}, {access}):", err=True)
    click.echo(secret)
