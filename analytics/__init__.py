"""Pure computation (rates, intervals, classes): no Dash, no SQL."""
