"""Guards and hooks of the campaign's and a nomination's moves (`choices.CAMPAIGN_FLOW`,
`choices.NOMINATION_FLOW`)."""
