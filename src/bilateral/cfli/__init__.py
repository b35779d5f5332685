"""Canada Fund for Local Initiatives (CFLI): calls, proposals, eligibility, assessment,
contribution agreements, applicant safety and portfolio reports.

The domain core only: pure functions and typed models that a web application and a
database will later stand on. It does not import the permit office (``bilateral.office``),
and the office does not import it.
"""
