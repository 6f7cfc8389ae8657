"""/api/v1/inspections: signed in. Thin: each endpoint calls one service or selector."""

from ninja import Router

router = Router(tags=["inspections"])
