"""The demo programme: the 2023 pilot cycle with its 11 NGOs, and the new cycle.

Every record is entered through the service layer with its historical date, so the audit
log, the guards and the cycle report treat it exactly like real use. As of the council
sitting on 2023-10-19 the report shows the article's figures: three organisations
awarded a little over EUR 100,000, three applications submitted and awaiting decisions,
seven prepared and waiting for calls that open in early 2024, a total budget over
EUR 500,000 and one project over EUR 1 million.

Organisation names come from the article; register numbers, amounts, dates, mentors and
funding calls are ILLUSTRATIVE (the article gives none), chosen to be realistic.

The data is kept apart from the code that enters it: :mod:`.programme` (the cycles' names,
the demo accounts and password, the funding calls, the shape of a pilot's record),
:mod:`.pilots` (the 11 organisations and how far each got) and :mod:`.loader`
(``load_demo``, the walk through the services). Import each name from its own module.
"""
