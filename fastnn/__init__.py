"""fastnn: fast CPU training of logistic regression and deep networks."""
