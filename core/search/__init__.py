"""The programmes' side of the offer: searching places and suggesting schools."""
