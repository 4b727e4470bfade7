"""The place team's pages, `/equipe/…`, each gated by `gate.requires(role)`: the dashboard,
members, validation, events/needs/pledges, the place, peers and the ledger, doors, deliveries.
Pages extend `team_base.html`."""
