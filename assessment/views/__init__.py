"""Blueprints, one per area of the site."""

from . import actions, api, assessments, auth, home, organisation, teams

BLUEPRINTS = (auth.bp, home.bp, organisation.bp, teams.bp, assessments.bp, actions.bp, api.bp)
