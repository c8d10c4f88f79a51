"""Analysis of model results: scoring against outcomes, probabilities, explanations."""
