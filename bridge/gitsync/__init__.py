"""Git plumbing for sync: what changed since a base, and commits on a branch that leave the user's checkout alone."""
