"""Blueprints, one per area of the site."""

from . import actions, api, assessments, auth, dashboard, home, join, organisation, teams, workshop

BLUEPRINTS = (auth.bp, home.bp, organisation.bp, teams.bp, assessments.bp, actions.bp, api.bp,
              workshop.bp, join.bp, dashboard.bp)
