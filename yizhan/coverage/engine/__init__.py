"""The computations of coverage and siting (issue 18), on numpy arrays in a metric frame.

Nothing here reads or writes a model: the services (`yizhan.coverage.services`) load demand,
stations, candidates and street networks, call these functions and store what they return. Each
long computation takes an optional `progress` (`engine.progress.Progress`): a `report(done, total,
message)` callable and a `check_cancelled()` callable, as a background job hands them in.
"""
