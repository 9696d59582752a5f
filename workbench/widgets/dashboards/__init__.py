"""The Voilà pages' views: the leads' dashboard, on-call, the read-only case app, and the parts
and charts they share."""
