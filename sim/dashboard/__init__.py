"""The lever explorer, ``talentsim dashboard``: a Solara page on which a planner sets the levers of a base
scenario, runs the changed scenario against the base over several seeds with common random numbers, reads
the trajectories, the difference per cluster, the spending against the budgets and the cost per additional
talent, and saves the levers as a scenario file that ``talentsim run`` and ``compare`` reproduce.

Modules: :mod:`~sim.dashboard.levers` (the lever settings shown, with their ranges), :mod:`~sim.dashboard.text`
(every word of the page in Chinese and English), :mod:`~sim.dashboard.scenario` (the explored scenario and the
file it is saved as), :mod:`~sim.dashboard.runs` (runs in worker processes, and what they give),
:mod:`~sim.dashboard.charts` (the figures), :mod:`~sim.dashboard.app` (the page) and
:mod:`~sim.dashboard.server` (serving it on the loopback interface with every asset local).
"""
