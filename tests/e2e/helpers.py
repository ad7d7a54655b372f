"""Steps shared by the journeys."""

from __future__ import annotations

from tests.world import PASSWORD


def sign_in(journey, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form (not counted: every journey starts signed in)."""
    page = journey.page
    page.goto(journey.base_url + "/aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state("load")
    journey.check_accessibility()
