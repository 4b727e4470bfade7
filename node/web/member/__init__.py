"""The member's own space, `/moi/…`: profile and visibility, projects, badge, visits, credit,
events, publishing as oneself, one's data and leaving. Pages extend `me_base.html`."""
