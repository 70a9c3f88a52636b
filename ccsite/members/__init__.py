"""The members-only good-practice section: its credentials, rendering and protection.

Members content is loaded into its own `MembersSite` (graph.py) and rendered here, never by
the public render, so no public template can reach it.
"""
