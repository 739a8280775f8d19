print("geostream: under construction")
