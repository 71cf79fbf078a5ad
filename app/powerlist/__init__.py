"""Power lists: duty, cadre and negative lists with versions, flowcharts, Excel and QR codes."""
