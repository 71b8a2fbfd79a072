"""Configuration of the people: talent's sex, ages and statutory retirement (ODD §5, §7.6), the
residents' vital rates and migration (ODD §7.10) and their rate of gaining a qualification (ODD §7.11). Every number with its unit and its source, as in
:mod:`sim.config`, which gathers these groups under ``uncertainties``.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from sim.fields import Strict, check_month, param


REFORM_SOURCE = ("Decision of the NPC Standing Committee on the gradual raising of the statutory retirement age, 2024-09-13, "
                 "in force 2025-01-01, and its Measures art. 1 (每四个月/每二个月延迟一个月; MOHRSS explainer of 2024-09-13 "
                 "at hrss.sz.gov.cn and rsj.snj.gov.cn)")


class RetirementRule(Strict):
    """A statutory retirement track (the defaults are men's): the old age, and the reform's months added by
    birth cohort — one month for every ``cohort_months_per_step`` months of birth from ``first_cohort`` on,
    up to ``final_age_years``."""

    base_age_years: float = param(60, unit="years", source=REFORM_SOURCE + ": the age before the reform", valid=(40, 80))
    first_cohort: str = param("1965-01", unit="YYYY-MM of birth", source=REFORM_SOURCE + ": the first cohort whose old retirement date falls in 2025-01")
    cohort_months_per_step: int = param(4, unit="months of birth per month added", source=REFORM_SOURCE, valid=(1, 120))
    final_age_years: float = param(63, unit="years", source=REFORM_SOURCE + ": the age the reform reaches", valid=(40, 80))

    @field_validator("first_cohort")
    @classmethod
    def _month(cls, v: str) -> str:
        return check_month(v)

    @model_validator(mode="after")
    def _rises(self) -> "RetirementRule":
        if self.final_age_years < self.base_age_years:
            raise ValueError("final_age_years must not be below base_age_years")
        return self


class WomenCadreRetirement(RetirementRule):
    """Women cadres and professionals (干部): 55, then 58 from the 1970-01 cohort on."""

    base_age_years: float = param(55, unit="years", source=REFORM_SOURCE + ": the age before the reform", valid=(40, 80))
    first_cohort: str = param("1970-01", unit="YYYY-MM of birth", source=REFORM_SOURCE + ": the first cohort whose old retirement date falls in 2025-01")
    final_age_years: float = param(58, unit="years", source=REFORM_SOURCE + ": the age the reform reaches", valid=(40, 80))


class WomenWorkerRetirement(RetirementRule):
    """Women workers (工人): 50, then 55, one month added per two months of birth from the 1975-01 cohort on."""

    base_age_years: float = param(50, unit="years", source=REFORM_SOURCE + ": the age before the reform", valid=(40, 80))
    first_cohort: str = param("1975-01", unit="YYYY-MM of birth", source=REFORM_SOURCE + ": the first cohort whose old retirement date falls in 2025-01")
    cohort_months_per_step: int = param(2, unit="months of birth per month added", source=REFORM_SOURCE, valid=(1, 120))
    final_age_years: float = param(55, unit="years", source=REFORM_SOURCE + ": the age the reform reaches", valid=(40, 80))


class Demography(Strict):
    """Sex, ages and statutory retirement of talent (ODD §5, §7.3, §7.6)."""

    male_share_initial: float = param(0.521, unit="share of the end-2021 talent stock", source="assumption: the 2020 census male share of Jiaxing's residents, 52.10% (2,814,061 of 5,400,868; Jiaxing 7th census bulletin, secondary), taken for the talent stock", range=(0.45, 0.62), valid=(0, 1))
    male_share_inflow: float = param(0.521, unit="share of every inflow channel's persons", source="assumption: the same census share for all channels (no published sex split of the city's talent inflows)", range=(0.45, 0.62), valid=(0, 1))
    women_cadre_share_skilled: float = param(0.5, unit="share of skilled-tier women on the cadre/professional track (old age 55)", source="assumption: the skilled tier mixes professionals (cadre track) and skilled workers (worker track, old age 50); high-end tiers are all on the cadre track", range=(0.2, 0.8), valid=(0, 1))
    skilled_min_age: float = param(22, unit="years", source="assumption: age at a bachelor's degree; the youngest skilled talent at the start", range=(20, 24), valid=(14, 40))
    high_end_min_age: float = param(30, unit="years", source="assumption: a doctorate and some years of work before a high-end title", range=(26, 36), valid=(14, 60))
    retirement_reform: bool = Field(True, description="the gradual raising of the statutory retirement age from 2025 (on in the baseline); False keeps the old ages",
                                    json_schema_extra={"unit": "on/off", "source": REFORM_SOURCE})
    men: RetirementRule = Field(default_factory=RetirementRule)
    women_cadres: WomenCadreRetirement = Field(default_factory=WomenCadreRetirement)
    women_workers: WomenWorkerRetirement = Field(default_factory=WomenWorkerRetirement)


class ResidentRates(Strict):
    """Shapes of the residents' vital rates and migration (ODD §7.10); their levels come from the region's census and rates."""

    net_migration_per_year: float = param(0.0, unit="persons/year, non-talent residents (talent flows are the agents' own)", source="calibrated to the resident population at the end of 2022 (region observations marked fitted; scenarios/calibration); 0 without a calibration", range=(-100000, 100000), valid=(-1e6, 1e6))
    migration_peak_age: float = param(24, unit="years", source="assumption: labour-migration peak of a Rogers-Castro model schedule (Rogers & Castro 1981: about 20-25)", range=(20, 28), valid=(15, 40))
    migration_rise: float = param(0.4, unit="per year of age, rise to the peak (lambda_2)", source="assumption: Rogers & Castro 1981 typical values", range=(0.2, 0.6), valid=(0.01, 2))
    migration_fall: float = param(0.1, unit="per year of age, fall after the peak and in childhood (alpha)", source="assumption: Rogers & Castro 1981 typical values", range=(0.06, 0.16), valid=(0.01, 1))
    migration_child_ratio: float = param(0.3, unit="childhood component relative to the labour component (a_1/a_2)", source="assumption: children move with their parents (Rogers & Castro 1981 typical values)", range=(0.0, 0.6), valid=(0, 2))
    migrant_male_share: float = param(0.55, unit="share of non-talent net migrants who are men", source="assumption: the male surplus is among in-migrants (census note)", range=(0.5, 0.62), valid=(0, 1))
    mortality_slope: float = param(0.09, unit="per year of age (Gompertz b)", source="assumption: typical adult Gompertz slope of human mortality", range=(0.075, 0.11), valid=(0.03, 0.2))
    background_mortality: float = param(0.0003, unit="per year, age-independent (Makeham)", source="assumption", range=(0.0001, 0.001), valid=(0, 0.05))
    infant_mortality: float = param(0.002, unit="deaths per infant per year (age 0)", source="assumption: infant mortality of about 2 per mille in Zhejiang", range=(0.001, 0.005), valid=(0, 0.1))
    male_mortality_ratio: float = param(1.4, unit="men's mortality relative to women's at the same age", source="assumption", range=(1.2, 1.8), valid=(0.5, 3))
    fertility_mean_age: float = param(29.5, unit="years, mean age of mothers", source="assumption", range=(27, 32), valid=(20, 40))
    fertility_sd_age: float = param(5.0, unit="years, spread of mothers' ages (15-49)", source="assumption", range=(4, 7), valid=(1, 10))
    sex_ratio_at_birth: float = param(1.113, unit="boys per girl", source="assumption: national 7th census figure 111.3, taken for the city", range=(1.05, 1.15), valid=(0.9, 1.3))
    old_age_male_share: float = param(0.47, unit="share of men among residents 65+ at the census", source="assumption: women outlive men", range=(0.44, 0.5), valid=(0, 1))
    age_smoothing_years: float = param(5, unit="years, width of the moving average that smooths the census's broad age bands", source="assumption", range=(1, 9), valid=(1, 15))
    local_graduate_share: float = param(0.2, unit="share of graduate-channel talent who were already residents (local students)", source="assumption: graduates of the city's own colleges", range=(0.05, 0.4), valid=(0, 1))


QUALIFICATION_SOURCE = ("assumption: of the order of the skill certificates and professional titles issued in Zhejiang relative to "
                        "its residents (roughly a million new skilled workers a year, about 1.5% of 65 m residents, most of them "
                        "already at work and some already counted as talent); on Jiaxing's ~2.3 m non-talent residents aged 18-54 "
                        "the defaults give about 25,000 qualifications a year (range about 10,000-50,000)")


class QualificationRates(Strict):
    """Residents' rate of gaining a qualification (skill certificate, professional title, part-time degree) and
    becoming talent (ODD §7.11): a rate for ages 25-34 and the other working-age bands relative to it; none
    below 18 or from 55 (full-time students who graduate locally are the graduate channel's local share, §7.10)."""

    qualification_rate_per_year: float = param(0.018, unit="qualifications per non-talent resident aged 25-34 per year", source=QUALIFICATION_SOURCE, range=(0.008, 0.035), valid=(0, 1))
    relative_rate_18_24: float = param(0.8, unit="rate at ages 18-24 relative to 25-34", source="assumption: young workers gain first certificates, many still in training", range=(0.5, 1.2), valid=(0, 10))
    relative_rate_35_44: float = param(0.65, unit="rate at ages 35-44 relative to 25-34", source="assumption: fewer first qualifications with age", range=(0.4, 0.9), valid=(0, 10))
    relative_rate_45_54: float = param(0.3, unit="rate at ages 45-54 relative to 25-34", source="assumption: few first qualifications near retirement", range=(0.1, 0.5), valid=(0, 10))
    deadweight_share: float = param(0.5, unit="share of subsidised trainees' certificates that would have been gained without the subsidy", source="assumption: evaluations of training subsidies find large deadweight (trainees who would have trained and qualified anyway)", range=(0.3, 0.8), valid=(0, 1))
