"""The password policy, with messages in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12


def password_problems(password: str, email: str = "") -> list[str]:
    """Reasons ``password`` is not acceptable; empty when it is."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(_l("Kies een wachtwoord van minstens %(n)d tekens.", n=MIN_LENGTH))
    if password.isalpha() or password.isdigit():
        problems.append(_l("Gebruik naast letters ook cijfers of leestekens."))
    local_part = email.split("@")[0].lower()
    if local_part and len(local_part) >= 4 and local_part in password.lower():
        problems.append(_l("Je wachtwoord mag je e-mailadres niet bevatten."))
    return [str(problem) for problem in problems]
