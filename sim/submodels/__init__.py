"""The submodels of docs/ODD.md §7, one module each, in the order the month runs them.

Each module opens with its ODD section and holds functions of the model whose state they read
and write; ``sim.model.TalentModel.step`` calls them in order (§3).

| §   | module            | process |
|-----|-------------------|---------|
| 7.0 | `utility`         | utilities that seekers, candidates and residents weigh |
| 7.1 | `policy`          | policy update |
| 7.2 | `firm_planning`   | firm planning |
| 7.3 | `inflows`         | inflows, and the making of new talent agents |
| 7.4 | `matching`        | job search and matching |
| 7.5 | `housing`         | housing |
| 7.6 | `retention`       | retention and exit |
| 7.7 | `projects`        | projects and challenges |
| 7.8 | `firm_demography` | firm entry and exit |
| 7.9 | `observation`     | observation, and the coupling coordination degree |
| 7.10 | `residents`      | residents by sex and age: births, deaths, ageing, migration (runs last of the month's processes, before observation) |
| 7.11 | `qualification`  | residents who gain a qualification become talent in place; the skills lever (runs after the inflows, before matching) |
"""
