"""French text at the bottom of the house: number formatting (`text.format`) and UI labels
(`text.labels`). Every layer above imports it (analytics, data_access, services, components,
callbacks, routes, security); it imports none of them, so screen, CSV, XLSX and PDF read alike."""
