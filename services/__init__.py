"""One module per view (ssr, msap, caqes, profile, etablissements): parse and validate the view from
a query dict, load and compute its rows and figure data, build its export rows. The page layout, the
Dash callbacks and the /export routes all call the same functions, so screen and file never differ.

Imports analytics/, data_access/, security/ and text/; never components/, callbacks/ or pages/."""
