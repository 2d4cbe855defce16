"""The users' questions: requirement tables, submit now or wait, portfolios, published results."""
