"""Domain logic on top of the models: synchronous, typed, Qt-free, reporting through callbacks."""
