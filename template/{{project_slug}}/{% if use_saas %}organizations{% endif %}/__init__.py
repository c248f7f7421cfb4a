"""Organizations (the SaaS's tenants), their members and roles, and invitations."""
