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

# The kind of place each service counts: the region's initial stock (``initial.<service>.unit``) and the
# services lever that adds to it name the same kind, so that the utility's ratio compares like with like
# (ODD §7.0). The lever adds this many per year; the region file must state the same unit.
SERVICE_KINDS = {
    "school_places": "quality school places open to talent families",
    "hospital_beds": "tertiary (三级) hospital beds",
    "culture_events": "publicly funded culture events for talent, per year",
}

# Residents are counted by single year of age 0-99 and the open group 100+ (index 100), and by sex
AGES = 101
SEXES = ("male", "female")
MALE, FEMALE = 0, 1
# what the bands and intervals of a study hold: the runs differ by seed only, or by parameter draw and seed
SEED_ONLY, PARAMETERS_AND_SEEDS = "seed variation only", "parameters and seeds"
