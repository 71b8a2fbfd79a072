"""TalentSim: agent-based simulation of industry-talent agglomeration in a city's clusters."""

__version__ = "0.1.0"
