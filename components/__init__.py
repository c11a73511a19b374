"""Reusable UI pieces: pure functions returning Dash components or Plotly figures."""
