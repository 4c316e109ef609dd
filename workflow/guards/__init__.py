"""Guards: named functions the states file puts on transitions, each saying why a step is
possible or blocked. The registry is :mod:`workflow.guards.registry`; importing the
package registers every guard below."""

from workflow.guards import applications, documents, leaving, preparation  # noqa: F401  (they register)
