"""Who may see what: sign-in, roles, the IRAPS presentation mode, security headers and the audit trail."""
