"""The permit office: applications, decisions, permits and their use (issue 3).

Web application and JSON API over the determination engine (``bilateral.engine.checks``).
The office never decides what the law presumes; it stores the engine's answer and its
``law_version`` with every assessment.
"""
