"""The model's fixed categories: talent tiers and the channels by which talent arrives.

Every module that names a tier or a channel takes it from here, so that configuration,
regions, the model and its outputs agree on one list and one order.
"""

from __future__ import annotations

TIERS = ("top", "national", "provincial", "municipal", "skilled")
HIGH_END_TIERS = TIERS[:4]
K = len(TIERS)  # number of tiers (k = 1..K in docs/ODD.md)
SKILLED = TIERS.index("skilled")

INFLOW_CHANNELS = ("graduate", "migrant", "returnee", "high_end", "platform", "project", "challenge", "tailored", "qualification",
                   "internal")
CHANNEL = {name: i for i, name in enumerate(INFLOW_CHANNELS)}

# Residents are counted by single year of age 0-99 and the open group 100+ (index 100), and by sex
AGES = 101
SEXES = ("male", "female")
MALE, FEMALE = 0, 1
